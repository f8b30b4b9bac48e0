// The web chat's own texts, in English and French: the frame loads these
// and not the desktop's catalogues. Variables as {name}; a plural picks
// "one|other" with {n}, as the desktop's catalogue does.
const en = {
  title: 'Chat',
  'incidents.title': 'Current incidents and announcements',
  'incident.incident': 'Known incident',
  'incident.announcement': 'Announcement',
  'incident.expected': 'Expected fix: {time}.',
  loading: 'Loading the chat…',
  broken: 'The chat is not available right now. Please try again later.',
  minimize: 'Close the chat window',
  log: 'Conversation',
  me: 'You',
  agent: 'Agent',
  reply: 'Your message',
  send: 'Send',
  'file.attach': 'Attach a file',
  'file.download': 'Download {name}',
  'file.too_large': 'This file is too large: at most {max}.',
  'file.type': 'This type of file cannot be sent here (images, PDF and text files only).',
  'file.count': 'This chat cannot take more files.',
  'file.off': 'Files cannot be sent in this chat.',
  'file.ended': 'This chat has ended.',
  'file.failed': 'The file could not be sent or fetched. Please try again.',
  end: 'End the chat',
  typing: '{agent} is typing…',
  'wait.waiting': 'Waiting for an agent…',
  'wait.position': 'You are number {n} in line, about {m} min.',
  'wait.position_only': 'You are number {n} in line.',
  'wait.expected': 'Expected wait: about {n} min.',
  'state.assigned': 'An agent is with you.',
  'state.with': 'You are chatting with {agent}.',
  'mark.sent': 'Sent',
  'mark.delivered': 'Delivered',
  'mark.read': 'Read',
  'mark.sending': 'Sending…',
  'mark.offline': 'Offline, will send when back',
  'offline.net': 'You are offline: your messages will be sent when the connection is back.',
  'prechat.intro': 'Write to us: an agent will answer here.',
  'prechat.start': 'Start the chat',
  'field.name': 'Your name',
  'field.name.optional': 'Your name (optional)',
  'field.email': 'Your email',
  'field.email.optional': 'Your email (optional)',
  'field.topic': 'Topic',
  'field.first': 'Your question',
  'field.message': 'Your message',
  'field.phone': 'Your phone number',
  'field.from': 'From',
  'field.to': 'To',
  'offline.intro': 'No one can chat right now.',
  'offline.later': 'Please come back during our opening hours.',
  'offline.retry': 'Check again',
  'offline.message': 'Leave a message',
  'offline.message.send': 'Send the message',
  'offline.message.done': 'Thank you: we will answer by email.',
  'offline.callback': 'Ask for a callback',
  'offline.callback.window': 'When may we call? (optional)',
  'offline.callback.send': 'Ask for the callback',
  'offline.callback.done': 'Thank you: we will call you back. You are number {n} in line.',
  ended: 'The chat has ended.',
  transcript: 'Get the transcript by email',
  'transcript.send': 'Send the transcript',
  'transcript.done': 'The transcript is on its way.',
  rating: 'How did we do?',
  'rating.score': 'Your rating, from 1 (poor) to 5 (excellent)',
  'rating.n': '{n}',
  'rating.comment': 'Comment (optional)',
  'rating.send': 'Send the rating',
  'rating.pick': 'Choose a rating from 1 to 5.',
  'rating.done': 'Thank you for your rating.',
  again: 'Start a new chat',
  'error.network': 'No connection: please try again.',
  'error.slow': 'Too many attempts: please wait a moment.',
  'error.generic': 'Something went wrong: please try again.',
  'error.email': 'This email address is not valid: write it as name@example.com.',
  'error.phone': 'We cannot read this phone number: check it, and give a number from abroad with its country code (+44…).',
  'error.name': 'This name is too long or has characters we cannot take.',
  'error.text': 'This text is empty or too long (4,000 characters at most).',
  'error.comment': 'This comment is too long (2,000 characters at most).',
  'error.topic': 'Choose one of the topics in the list.',
  'error.window': 'We cannot call in this window: it must be in the future, within the next 14 days and during our opening hours.',
  'error.ended': 'This chat has ended.',
  'error.unavailable': 'This is not available right now: please try again later.',
  'error.callback_off': 'Callbacks cannot be asked for right now: please leave a message or come back later.',
  'error.mail_off': 'Transcripts cannot be sent by email here.',
  'error.mail_limit': 'Enough mail went to this address this hour: please try again later.',
};

const fr = {
  'incidents.title': 'Incidents et annonces en cours',
  'incident.incident': 'Incident en cours',
  'incident.announcement': 'Annonce',
  'incident.expected': 'Rétablissement prévu : {time}.',
  title: 'Discussion',
  loading: 'Chargement de la discussion…',
  broken: 'La discussion n’est pas disponible pour le moment. Réessayez plus tard.',
  minimize: 'Fermer la fenêtre de discussion',
  log: 'Conversation',
  me: 'Vous',
  agent: 'Conseiller',
  reply: 'Votre message',
  send: 'Envoyer',
  'file.attach': 'Joindre un fichier',
  'file.download': 'Télécharger {name}',
  'file.too_large': 'Ce fichier est trop volumineux : {max} au plus.',
  'file.type': 'Ce type de fichier ne peut pas être envoyé ici (images, PDF et fichiers texte seulement).',
  'file.count': 'Cette conversation ne peut plus recevoir de fichiers.',
  'file.off': 'Les fichiers ne peuvent pas être envoyés dans cette conversation.',
  'file.ended': 'Cette conversation est terminée.',
  'file.failed': "Le fichier n'a pas pu être envoyé ou récupéré. Veuillez réessayer.",
  end: 'Terminer la discussion',
  typing: '{agent} écrit…',
  'wait.waiting': 'En attente d’un conseiller…',
  'wait.position': 'Vous êtes numéro {n} dans la file, environ {m} min.',
  'wait.position_only': 'Vous êtes numéro {n} dans la file.',
  'wait.expected': 'Attente prévue : environ {n} min.',
  'state.assigned': 'Un conseiller est avec vous.',
  'state.with': 'Vous discutez avec {agent}.',
  'mark.sent': 'Envoyé',
  'mark.delivered': 'Remis',
  'mark.read': 'Lu',
  'mark.sending': 'Envoi…',
  'mark.offline': 'Hors ligne, sera envoyé au retour',
  'offline.net': 'Vous êtes hors ligne : vos messages partiront au retour de la connexion.',
  'prechat.intro': 'Écrivez-nous : un conseiller vous répondra ici.',
  'prechat.start': 'Commencer la discussion',
  'field.name': 'Votre nom',
  'field.name.optional': 'Votre nom (facultatif)',
  'field.email': 'Votre adresse e-mail',
  'field.email.optional': 'Votre adresse e-mail (facultative)',
  'field.topic': 'Sujet',
  'field.first': 'Votre question',
  'field.message': 'Votre message',
  'field.phone': 'Votre numéro de téléphone',
  'field.from': 'De',
  'field.to': 'À',
  'offline.intro': 'Personne ne peut discuter pour le moment.',
  'offline.later': 'Revenez pendant nos heures d’ouverture.',
  'offline.retry': 'Vérifier à nouveau',
  'offline.message': 'Laisser un message',
  'offline.message.send': 'Envoyer le message',
  'offline.message.done': 'Merci : nous vous répondrons par e-mail.',
  'offline.callback': 'Être rappelé',
  'offline.callback.window': 'Quand pouvons-nous appeler ? (facultatif)',
  'offline.callback.send': 'Demander le rappel',
  'offline.callback.done': 'Merci : nous vous rappellerons. Vous êtes numéro {n} dans la file.',
  ended: 'La discussion est terminée.',
  transcript: 'Recevoir la transcription par e-mail',
  'transcript.send': 'Envoyer la transcription',
  'transcript.done': 'La transcription est en route.',
  rating: 'Votre avis sur cette discussion',
  'rating.score': 'Votre note, de 1 (mauvais) à 5 (excellent)',
  'rating.n': '{n}',
  'rating.comment': 'Commentaire (facultatif)',
  'rating.send': 'Envoyer la note',
  'rating.pick': 'Choisissez une note de 1 à 5.',
  'rating.done': 'Merci pour votre note.',
  again: 'Nouvelle discussion',
  'error.network': 'Pas de connexion : réessayez.',
  'error.slow': 'Trop de tentatives : patientez un instant.',
  'error.generic': 'Une erreur est survenue : réessayez.',
  'error.email': 'Cette adresse e-mail n’est pas valide : écrivez-la comme nom@exemple.fr.',
  'error.phone': 'Nous ne pouvons pas lire ce numéro : vérifiez-le, et donnez un numéro de l’étranger avec son indicatif (+44…).',
  'error.name': 'Ce nom est trop long ou contient des caractères que nous ne pouvons pas prendre.',
  'error.text': 'Ce texte est vide ou trop long (4 000 caractères au plus).',
  'error.comment': 'Ce commentaire est trop long (2 000 caractères au plus).',
  'error.topic': 'Choisissez un des sujets de la liste.',
  'error.window': 'Nous ne pouvons pas appeler dans ce créneau : il doit être à venir, dans les 14 prochains jours et pendant nos heures d’ouverture.',
  'error.ended': 'Cette discussion est terminée.',
  'error.unavailable': 'Ce n’est pas possible pour le moment : réessayez plus tard.',
  'error.callback_off': 'Les rappels ne peuvent pas être demandés pour le moment : laissez un message ou revenez plus tard.',
  'error.mail_off': 'Les transcriptions ne peuvent pas être envoyées par e-mail ici.',
  'error.mail_limit': 'Assez de courriels sont partis vers cette adresse cette heure-ci : réessayez plus tard.',
};

export const catalogues = { en, fr };

// The texts of the API's refusals of a field (a 400 naming it).
const FIELD_ERRORS = { email: 'error.email', phone: 'error.phone', name: 'error.name', message: 'error.text',
  body: 'error.text', context: 'error.text', comment: 'error.comment', topic: 'error.topic', window: 'error.window',
  score: 'rating.pick' };

// A refusal of the API in the visitor's language, by its status, code and
// field: the API's own messages are English and never shown. What has no
// text of its own gets the generic one.
export function errorText(t, err) {
  if (!err || !err.status) return t('error.network');
  if (err.status === 429) return t(err.field === 'email' ? 'error.mail_limit' : 'error.slow');
  if (err.code === 'ended') return t('error.ended');
  if (err.status === 422 && err.field === 'email') return t('error.mail_off'); // no mailbox sends the tenant's mail
  if (err.status === 409 && err.field === 'queue_id') return t('error.callback_off'); // no callback queue
  if (err.status === 409) return t('error.unavailable');
  if (err.status === 400 && FIELD_ERRORS[err.field]) return t(FIELD_ERRORS[err.field]);
  return t('error.generic');
}

// ?lang= (the launcher passes the host page's), else the browser's
export function pickLang(wanted) {
  const l = (wanted || navigator.language || 'en').slice(0, 2).toLowerCase();
  return l === 'fr' ? 'fr' : 'en';
}

export function translator(lang) {
  const cat = catalogues[lang] || en;
  return (key, vars = {}) => {
    let s = cat[key] ?? en[key] ?? key;
    if (s.includes('|')) s = s.split('|')[vars.n === 1 ? 0 : 1];
    return s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? `{${k}}`));
  };
}
