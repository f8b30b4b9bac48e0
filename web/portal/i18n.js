// The portal's texts in French and English (not the desktop's catalogues:
// the portal is a page of its own). The language is the portal's setting,
// else the browser's first French or English choice, else English; the
// customer may switch. t(key, {name}) fills {name}.
const en = {
  'portal.title': 'Help centre',
  'portal.lang': 'Language',
  'portal.loading': 'Loading…',
  'portal.missing': 'This help centre does not exist or is closed.',
  'incidents.title': 'Current incidents and announcements',
  'incident.incident': 'Incident',
  'incident.announcement': 'Announcement',
  'incident.severity.minor': 'minor',
  'incident.severity.major': 'major',
  'incident.severity.critical': 'critical',
  'incident.area': 'Area: {area}',
  'incident.expected': 'Expected fix: {time}',
  'search.title': 'How can we help?',
  'search.label': 'Describe your problem in your own words',
  'search.submit': 'Search',
  'search.searching': 'Searching…',
  'search.results': 'Results for “{q}”',
  'search.none': 'Nothing matches “{q}”. A person can help: see “Talk to a person”.',
  'result.tree': 'Guided help',
  'result.article': 'Article',
  'result.open': 'Open “{title}”',
  'result.start': 'Start “{title}”',
  'article.back': 'Back to the results',
  'article.steps': 'Steps',
  'diag.title': 'Guided help',
  'diag.answers': 'Your answers so far',
  'diag.back': 'Previous question',
  'diag.restart': 'Back to the results',
  'diag.yes': 'Yes',
  'diag.no': 'No',
  'diag.your_answer': 'Your answer',
  'diag.send': 'Next',
  'diag.person': 'This needs a person: use “Talk to a person” below, your answers go with it.',
  'solved.question': 'Did this solve it?',
  'solved.yes': 'Yes, solved',
  'solved.no': 'No, not solved',
  'solved.thanks': 'Thank you, glad it helped.',
  'solved.sorry': 'Sorry it did not help. A person can take over: your search and answers go with your request.',
  'reach.title': 'Talk to a person',
  'reach.intro': 'You can reach us at any time, whatever you tried.',
  'reach.phone': 'Call us: {phone}',
  'reach.email': 'Write to us: {email}',
  'reach.open': 'We are open now.',
  'reach.closed': 'We are closed now: leave your request, we answer when we open.',
  'reach.hours': 'Opening hours ({zone})',
  'reach.closed_day': 'closed',
  'reach.chat': 'Chat with us: the chat button at the bottom of the page.',
  'reach.send.title': 'Send my request to a person',
  'reach.send.known': 'Your search and your answers go with it: you will not be asked again.',
  'reach.send.email': 'Your email',
  'reach.send.phone': 'Or your phone number',
  'reach.send.message': 'Your message',
  'reach.send.submit': 'Send to a person',
  'reach.send.done': 'Sent. An agent will answer you; they see what you already tried.',
  'reach.send.need': 'Give an email address or a phone number so that we can answer you.',
  'callback.title': 'Call me back',
  'callback.phone': 'Phone number',
  'callback.name': 'Your name (optional)',
  'callback.from': 'From',
  'callback.to': 'To',
  'callback.submit': 'Ask for a callback',
  'callback.done': 'Thank you: we will call you back.',
  'error.generic': 'Something went wrong: please try again.',
  'error.busy': 'Too many requests: please wait a minute and try again.',
  'error.network': 'No connection: check your network and try again.',
  'error.email': 'This email address is not valid: write it as name@example.com.',
  'error.phone': 'We cannot read this phone number: check it, and give a number from abroad with its country code (+44…).',
  'error.name': 'This name is too long or has characters we cannot take.',
  'error.text': 'This text is too long or has characters we cannot take.',
  'error.query': 'Your search is too long: 1,000 characters at most.',
  'error.answer': 'This answer was not understood: choose one of the answers, or say it another way.',
  'error.window': 'We cannot call in this window: it must be in the future, within the next 14 days and during our opening hours.',
  'error.callback_off': 'Callbacks cannot be asked for right now: call us, or send your request to a person.',
  'error.session_over': 'This guided help is over or was passed to a person already: search again to start anew.',
  'error.gone': 'This is no longer available: please search again.',
};

const fr = {
  'portal.title': 'Centre d’aide',
  'portal.lang': 'Langue',
  'portal.loading': 'Chargement…',
  'portal.missing': 'Ce centre d’aide n’existe pas ou est fermé.',
  'incidents.title': 'Incidents et annonces en cours',
  'incident.incident': 'Incident',
  'incident.announcement': 'Annonce',
  'incident.severity.minor': 'mineur',
  'incident.severity.major': 'majeur',
  'incident.severity.critical': 'critique',
  'incident.area': 'Zone : {area}',
  'incident.expected': 'Rétablissement prévu : {time}',
  'search.title': 'Comment pouvons-nous vous aider ?',
  'search.label': 'Décrivez votre problème avec vos mots',
  'search.submit': 'Rechercher',
  'search.searching': 'Recherche…',
  'search.results': 'Résultats pour « {q} »',
  'search.none': 'Rien ne correspond à « {q} ». Une personne peut vous aider : voyez « Parler à une personne ».',
  'result.tree': 'Aide guidée',
  'result.article': 'Article',
  'result.open': 'Ouvrir « {title} »',
  'result.start': 'Commencer « {title} »',
  'article.back': 'Retour aux résultats',
  'article.steps': 'Étapes',
  'diag.title': 'Aide guidée',
  'diag.answers': 'Vos réponses jusqu’ici',
  'diag.back': 'Question précédente',
  'diag.restart': 'Retour aux résultats',
  'diag.yes': 'Oui',
  'diag.no': 'Non',
  'diag.your_answer': 'Votre réponse',
  'diag.send': 'Suivant',
  'diag.person': 'Il faut une personne : utilisez « Parler à une personne » ci-dessous, vos réponses l’accompagnent.',
  'solved.question': 'Est-ce résolu ?',
  'solved.yes': 'Oui, c’est résolu',
  'solved.no': 'Non, pas résolu',
  'solved.thanks': 'Merci, ravis d’avoir aidé.',
  'solved.sorry': 'Désolés que cela n’ait pas aidé. Une personne peut prendre le relais : votre recherche et vos réponses accompagnent votre demande.',
  'reach.title': 'Parler à une personne',
  'reach.intro': 'Vous pouvez nous joindre à tout moment, quoi que vous ayez essayé.',
  'reach.phone': 'Appelez-nous : {phone}',
  'reach.email': 'Écrivez-nous : {email}',
  'reach.open': 'Nous sommes ouverts.',
  'reach.closed': 'Nous sommes fermés : laissez votre demande, nous répondons à l’ouverture.',
  'reach.hours': 'Heures d’ouverture ({zone})',
  'reach.closed_day': 'fermé',
  'reach.chat': 'Discutez avec nous : le bouton de discussion en bas de la page.',
  'reach.send.title': 'Envoyer ma demande à une personne',
  'reach.send.known': 'Votre recherche et vos réponses l’accompagnent : on ne vous les redemandera pas.',
  'reach.send.email': 'Votre adresse e-mail',
  'reach.send.phone': 'Ou votre numéro de téléphone',
  'reach.send.message': 'Votre message',
  'reach.send.submit': 'Envoyer à une personne',
  'reach.send.done': 'Envoyé. Un conseiller vous répondra ; il voit ce que vous avez déjà essayé.',
  'reach.send.need': 'Donnez une adresse e-mail ou un numéro de téléphone pour que nous puissions vous répondre.',
  'callback.title': 'Être rappelé',
  'callback.phone': 'Numéro de téléphone',
  'callback.name': 'Votre nom (facultatif)',
  'callback.from': 'De',
  'callback.to': 'À',
  'callback.submit': 'Demander un rappel',
  'callback.done': 'Merci : nous vous rappellerons.',
  'error.generic': 'Une erreur est survenue : réessayez.',
  'error.busy': 'Trop de demandes : attendez une minute et réessayez.',
  'error.network': 'Pas de connexion : vérifiez votre réseau et réessayez.',
  'error.email': 'Cette adresse e-mail n’est pas valide : écrivez-la comme nom@exemple.fr.',
  'error.phone': 'Nous ne pouvons pas lire ce numéro : vérifiez-le, et donnez un numéro de l’étranger avec son indicatif (+44…).',
  'error.name': 'Ce nom est trop long ou contient des caractères que nous ne pouvons pas prendre.',
  'error.text': 'Ce texte est trop long ou contient des caractères que nous ne pouvons pas prendre.',
  'error.query': 'Votre recherche est trop longue : 1 000 caractères au plus.',
  'error.answer': 'Cette réponse n’a pas été comprise : choisissez une des réponses, ou dites-la autrement.',
  'error.window': 'Nous ne pouvons pas appeler dans ce créneau : il doit être à venir, dans les 14 prochains jours et pendant nos heures d’ouverture.',
  'error.callback_off': 'Les rappels ne peuvent pas être demandés pour le moment : appelez-nous, ou envoyez votre demande à une personne.',
  'error.session_over': 'Cette aide guidée est terminée ou a déjà été transmise à une personne : cherchez à nouveau pour recommencer.',
  'error.gone': 'Ce contenu n’est plus disponible : cherchez à nouveau.',
};

export const TEXTS = { en, fr };

// The texts of the API's refusals of a field (a 400 naming it).
const FIELD_ERRORS = { email: 'error.email', phone: 'error.phone', name: 'error.name', message: 'error.text',
  context: 'error.text', query: 'error.query', answer: 'error.answer', window: 'error.window' };

// A failure of the API in the page's language, by its status, code and
// field: the API's own messages are English and never shown. What has no
// text of its own gets the generic one.
export function errorText(t, e) {
  if (!e || !e.status) return t('error.network');
  if (e.status === 429) return t('error.busy');
  if (e.status === 409 && e.field === 'queue_id') return t('error.callback_off'); // no callback queue
  if (e.status === 409) return t('error.session_over');
  if (e.status === 404) return t('error.gone');
  if (e.status === 400 && FIELD_ERRORS[e.field]) return t(FIELD_ERRORS[e.field]);
  return t('error.generic');
}

export function pickLanguage(setting, languages) {
  if (TEXTS[setting]) return setting;
  for (const tag of languages || []) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (TEXTS[base]) return base;
  }
  return 'en';
}

export function translator(lang) {
  const table = TEXTS[lang] || en;
  return (key, vars = {}) => (table[key] ?? en[key] ?? key).replace(/\{(\w+)\}/g, (_, n) => vars[n] ?? '');
}
