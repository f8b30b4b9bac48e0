// Les messages d'erreur du serveur en français, par leur modèle (le texte
// anglais que l'API envoie dans `template` ; web/scripts/server-messages.mjs
// les liste). Chaque valeur (%s, %d, %lld, %.1f…) garde sa place dans l'ordre
// des valeurs ; %2$s prend la deuxième. Voir errors.js.
// Les raisons qu'une plage horaire est refusée (calendar_interval_parse,
// src/model/calendar.c), que le serveur écrit en anglais dans le message.
const RANGE = {
  'is not HH:MM-HH:MM within the day': 'n’est pas une plage HH:MM-HH:MM dans la journée.',
  'is empty: it ends when it starts': 'est vide : elle finit quand elle commence.',
  'ends before it starts: past midnight is two ranges, "18:00-24:00" and the next day\'s "00:00-08:00"':
    'finit avant de commencer : passé minuit, ce sont deux plages, « 18:00-24:00 » puis « 00:00-08:00 » le lendemain.',
};
// Les canaux, que les refus du routage nomment.
const CHANNELS = { chat: 'chat', phone: 'téléphone', email: 'e-mail', sms: 'SMS', social: 'réseaux sociaux', web: 'web' };
// Les champs qu'un refus du routage nomme quand une file ne peut changer.
const QUEUE_FIELDS = { channel: 'son canal', skill_id: 'sa compétence', level: 'son niveau' };
// Les états d'un rappel, que ses refus nomment.
const CALLBACK_STATES = { scheduled: 'planifié', waiting: 'en attente', offered: 'proposé', dialing: 'en cours d’appel',
  done: 'terminé', missed: 'manqué', cancelled: 'annulé' };

export default {
  '"%.20s" is not a date YYYY-MM-DD': '« %.20s » n’est pas une date AAAA-MM-JJ.',
  '%02d:%02d-%02d:%02d and %02d:%02d-%02d:%02d overlap':
    'Les plages %02d:%02d-%02d:%02d et %02d:%02d-%02d:%02d se chevauchent.',
  '%lld is an announcement: only an incident is broadcast':
    'L’annonce n° %lld n’est pas un incident : seul un incident est envoyé à ses destinataires.',
  '%s (16-bit PCM, mono or stereo, 8,000 to 48,000 Hz)':
    '%s (PCM 16 bits, mono ou stéréo, de 8 000 à 48 000 Hz).',
  '%s has an account already: create the tenant without it, then give them the role tenant_admin there':
    '%s a déjà un compte : créez la marque sans cette personne, puis donnez-lui le rôle tenant_admin dans la marque.',
  "'%.40s' is not a day like 2026-12-01": '« %.40s » n’est pas un jour comme 2026-12-01.',
  "'%s' cannot be changed": '« %s » ne peut pas être modifié.',
  "'%s' contains control characters": '« %s » contient des caractères de contrôle.',
  "'%s' goes with 'register': true": '« %s » va avec « register » : true.',
  "'%s' is UTF-8 text of 1 to %d bytes once control characters are removed":
    '« %s » est un texte UTF-8 de 1 à %d octets, caractères de contrôle retirés.',
  "'%s' is a date (YYYY-MM-DD, the tenant's day) or an RFC 3339 time":
    '« %s » est une date (AAAA-MM-JJ, le jour dans le fuseau de la marque) ou une heure RFC 3339.',
  "'%s' is a language of '%s' (en, fr)":
    '« %s » n’est pas une langue possible pour « %s » (en, fr).',
  "'%s' is a list of up to %d \"HH:MM-HH:MM\"":
    '« %s » est une liste d’au plus %d plages HH:MM-HH:MM.',
  "'%s' is a list of up to two \"HH:MM-HH:MM\"":
    '« %s » est une liste d’au plus deux plages HH:MM-HH:MM.',
  "'%s' is a number of bytes from 0 to %lld": '« %s » est un nombre d’octets de 0 à %lld.',
  "'%s' is a positive integer": '« %s » est un entier positif.',
  "'%s' is a string": '« %s » est une chaîne de caractères.',
  "'%s' is a string of 1 to %zu printable characters":
    '« %s » est une chaîne de 1 à %zu caractères imprimables.',
  "'%s' is a text of 1 to %zu bytes%s": '« %1$s » est un texte de 1 à %2$zu octets.',
  "'%s' is a time (RFC 3339, e.g. 2026-12-02T08:00:00Z)":
    '« %s » est une heure RFC 3339, par exemple 2026-12-02T08:00:00Z.',
  "'%s' is an integer from %d to %d": '« %s » est un entier de %d à %d.',
  "'%s' is an object {\"to\", \"after\"}": '« %s » est un objet {"to", "after"}.',
  "'%s' is at most %zu bytes": '« %s » fait au plus %zu octets.',
  "'%s' is blank: write something": '« %s » est vide : écrivez quelque chose.',
  "'%s' is blank: write something or leave it out":
    '« %s » est vide : écrivez quelque chose ou retirez ce champ.',
  "'%s' is given twice": '« %s » est donné deux fois.',
  "'%s' is longer than %zu bytes": '« %s » dépasse %zu octets.',
  "'%s' is neither this tenant's organisation nor one that staffs it":
    '« %s » n’est ni l’organisation de cette marque ni une organisation qui la sert.',
  "'%s' is not a field of a broadcast": '« %s » n’est pas un champ d’un envoi aux destinataires.',
  "'%s' is not a field of an incident": '« %s » n’est pas un champ d’un incident.',
  "'%s' is not a kind of template (declaration, update, resolution)":
    '« %s » n’est pas un type de modèle (declaration, update, resolution).',
  "'%s' is not a setting of the portal": '« %s » n’est pas un réglage du centre d’aide.',
  "'%s' is not among what '%.60s' finds":
    '« %s » n’est pas parmi les résultats de la recherche « %.60s ».',
  "'%s' is not an email address": '« %s » n’est pas une adresse e-mail.',
  "'%s' is not an email address a person can have":
    '« %s » n’est pas une adresse e-mail qu’une personne peut avoir.',
  "'%s' is not one of the tenant's dispositions: %s":
    '« %s » n’est pas une qualification de la marque : %s.',
  "'%s' is off, optional or required": '« %s » vaut off, optional ou required.',
  "'%s' is required": '« %s » est obligatoire.',
  "'%s' is text of 1 to %zu bytes on one line":
    '« %s » est un texte de 1 à %zu octets sur une seule ligne.',
  "'%s' is text of at most %zu bytes": '« %s » est un texte d’au plus %zu octets.',
  "'%s' is true or false": '« %s » vaut true ou false.',
  "'%s' is {\"en\": {...}, \"fr\": {...}}": '« %s » s’écrit {"en": {...}, "fr": {...}}.',
  "'%s' is {\"subject\": 1 to %d bytes on one line, \"body\": 1 to %d bytes}":
    '« %s » s’écrit {"subject": 1 à %d octets sur une ligne, "body": 1 à %d octets}.',
  "'%s' must be %s %g and at most %g":
    '« %1$s » doit être un nombre supérieur à %3$g (ou égal, selon le champ) et d’au plus %4$g.',
  "'%s' must be ASCII: letters that look alike are refused; write an international domain in its xn-- form":
    '« %s » doit être en ASCII : les lettres qui se ressemblent sont refusées ; écrivez un domaine international sous sa forme xn--.',
  "'%s' must be a number": '« %s » doit être un nombre.',
  "'%s' must be a number from %g to %g": '« %s » doit être un nombre de %g à %g.',
  "'%s' must be a string": '« %s » doit être une chaîne de caractères.',
  "'%s' must be an integer": '« %s » doit être un entier.',
  "'%s' must be an integer from %lld to %lld": '« %s » doit être un entier de %lld à %lld.',
  "'%s' must be an integer from 0 to 100": '« %s » doit être un entier de 0 à 100.',
  "'%s' must be between %lld and %lld": '« %s » doit être compris entre %lld et %lld.',
  "'%s' must have at least %d characters": '« %s » doit avoir au moins %d caractères.',
  "'%s' must not be empty": '« %s » ne doit pas être vide.',
  "'%s' uses an unknown variable {{%s}} (customer.name, incident.title, incident.since, incident.expected_end, update.text)":
    '« %s » emploie une variable inconnue, {{%s}} (variables possibles : customer.name, incident.title, incident.since, incident.expected_end, update.text).',
  "'%s': %02d:%02d-%02d:%02d and %02d:%02d-%02d:%02d overlap":
    '« %s » : les plages %02d:%02d-%02d:%02d et %02d:%02d-%02d:%02d se chevauchent.',
  "'%s.to' must name another queue": '« %s.to » doit désigner une autre file.',
  "'%sagents' must be a whole number of agents on the phones (%g given)":
    '« %sagents » doit être un nombre entier d’agents au téléphone (%g donné).',
  "'%sarrivals' must be an array of times in seconds":
    '« %sarrivals » doit être une liste d’instants en secondes.',
  "'%sarrivals' must be increasing times from 0 (element %zu)":
    '« %sarrivals » doit être une liste d’instants croissants à partir de 0 (élément %zu).',
  "'%scalls_per_hour' or '%sarrivals' is needed":
    '« %scalls_per_hour » ou « %sarrivals » est obligatoire.',
  "'%scv' (standard deviation / mean) is needed for lognormal":
    '« %scv » (écart type / moyenne) est obligatoire avec lognormal.',
  "'%shandle' is exponential or lognormal": '« %shandle » vaut exponential ou lognormal.',
  "'%sname' must be a string of 1 to %zu characters":
    '« %sname » doit être une chaîne de 1 à %zu caractères.',
  "'%sskills' must list the queues the group serves":
    '« %sskills » doit lister les files que le groupe sert.',
  "'%sskills' names no queue '%s'": '« %sskills » désigne une file inconnue : « %s ».',
  "'ack' (the acknowledgement settings) or 'from_name' is required":
    '« ack » (les réglages des accusés de réception) ou « from_name » est obligatoire.',
  "'ack' must be an object": '« ack » doit être un objet.',
  "'admin' must be an object {\"email\",\"name\",\"password\"}":
    '« admin » doit être un objet {"email","name","password"}.',
  "'agents' must be a whole number": '« agents » doit être un nombre entier.',
  "'all' is true": '« all » vaut true.',
  "'answer' is the value chosen or typed": '« answer » est la valeur choisie ou saisie.',
  "'approvals' is the number of reviewers needed, 1 to 10":
    '« approvals » est le nombre de relecteurs nécessaires, de 1 à 10.',
  "'articles' lists at most 10 articles' ids":
    '« articles » liste au plus 10 identifiants d’articles.',
  "'articles[%zu]' is an article's id": '« articles[%zu] » est l’identifiant d’un article.',
  "'attachments' is {\"max_bytes\": 0 to %lld, \"types\": [some of image/png, image/jpeg, image/gif, image/webp, application/pdf, text/plain], \"per_chat\": 0 to %d}; '%s' is wrong":
    '« attachments » s’écrit {"max_bytes": 0 à %lld, "types": [parmi image/png, image/jpeg, image/gif, image/webp, application/pdf, text/plain], "per_chat": 0 à %d} ; « %s » est incorrect.',
  "'attribute' is {\"key\": text of 1 to %d bytes, \"value\": 1 to %d bytes}":
    '« attribute » s’écrit {"key": texte de 1 à %d octets, "value": 1 à %d octets}.',
  "'attributes' maps names to classes (null: the default)":
    '« attributes » associe des noms à des classes (null : la classe par défaut).',
  "'attributes' must be an object": '« attributes » doit être un objet.',
  "'by' is day or week": '« by » vaut day ou week.',
  "'by' is interval, queue, agent, organisation or channel":
    '« by » vaut interval, queue, agent, organisation ou channel.',
  "'by' is queue, agent, organisation or channel":
    '« by » vaut queue, agent, organisation ou channel.',
  "'capacity' maps channels to contacts at once: {\"phone\": 1}":
    '« capacity » associe à chaque canal un nombre de contacts simultanés : {"phone": 1}.',
  "'channel' must be phone, email, chat, sms, social or web":
    '« channel » doit valoir phone, email, chat, sms, social ou web.',
  "'channels' is a list of \"email\", \"sms\" and \"social\", the first one a customer can take: [\"email\"], [\"social\", \"sms\", \"email\"]...":
    '« channels » est une liste de "email", "sms" et "social", dans l’ordre de préférence (le premier que le client peut recevoir sert) : ["email"], ["social", "sms", "email"]…',
  "'comment' is text of 1 to %d bytes": '« comment » est un texte de 1 à %d octets.',
  "'comment' is text of at most 2,000 bytes": '« comment » est un texte d’au plus 2 000 octets.',
  "'comment' is text of at most 4000 bytes": '« comment » est un texte d’au plus 4 000 octets.',
  "'contact_id' is a contact's id": '« contact_id » est l’identifiant d’un contact.',
  "'country' is a country's ISO 3166 code that has a numbering plan, such as \"FR\"":
    '« country » est le code ISO 3166 d’un pays qui a un plan de numérotation, comme « FR ».',
  "'customer' is {\"id\", \"hmac\"}": '« customer » s’écrit {"id", "hmac"}.',
  "'customers' holds customer ids": '« customers » contient des identifiants de clients.',
  "'customers' is a list of 1 to %d customer ids":
    '« customers » est une liste de 1 à %d identifiants de clients.',
  "'date' is a date YYYY-MM-DD": '« date » est une date AAAA-MM-JJ.',
  "'date' is a date YYYY-MM-DD, without from and to":
    '« date » est une date AAAA-MM-JJ, sans from ni to.',
  "'days' maps mon..sun to [\"08:00-12:00\", ...]":
    '« days » associe à mon..sun des plages : ["08:00-12:00", ...].',
  "'direction' must be inbound or outbound": '« direction » doit valoir inbound ou outbound.',
  "'disposition' is blank: give a code such as 'refunded'":
    '« disposition » est vide : donnez un code comme « refunded ».',
  "'email' is an address, name@domain": '« email » est une adresse, nom@domaine.',
  "'email' is not an email address": '« email » n’est pas une adresse e-mail.',
  "'enabled' must be true or false": '« enabled » doit valoir true ou false.',
  "'external_id' must not be empty": '« external_id » ne doit pas être vide.',
  "'feedback' is text of at most 4000 bytes": '« feedback » est un texte d’au plus 4 000 octets.',
  "'from' is a date YYYY-MM-DD": '« from » est une date AAAA-MM-JJ.',
  "'from' is an RFC 3339 UTC time (or give 'date')":
    '« from » est une heure UTC RFC 3339 (ou donnez « date »).',
  "'greeting_recording' is a recording's id or null":
    '« greeting_recording » est l’identifiant d’un enregistrement, ou null.',
  "'groups' must list 1 to %d agent groups": '« groups » doit lister de 1 à %d groupes d’agents.',
  "'heard' is what the customer said, 1 to 1000 bytes":
    '« heard » est ce que le client a dit, de 1 à 1 000 octets.',
  "'hint' must be 'fr' or 'en'": '« hint » doit valoir « fr » ou « en ».',
  "'holidays' is a list of up to %d dates YYYY-MM-DD":
    '« holidays » est une liste d’au plus %d dates AAAA-MM-JJ.',
  "'holidays' lists dates like 2026-12-25, separated by commas":
    '« holidays » liste des dates comme 2026-12-25, séparées par des virgules.',
  "'hours' maps mon..sun to [\"08:00-12:00\", ...]":
    '« hours » associe à mon..sun des plages : ["08:00-12:00", ...].',
  "'hours' must be an object": '« hours » doit être un objet.',
  "'item' is the id of the article opened": '« item » est l’identifiant de l’article ouvert.',
  "'items' is a list of up to %d {\"code\", \"label\"}":
    '« items » est une liste d’au plus %d {"code", "label"}.',
  "'kind' is \"declaration\", \"update\" or \"resolution\"":
    '« kind » vaut "declaration", "update" ou "resolution".',
  "'kind' is sms or social": '« kind » vaut sms ou social.',
  "'kind' must be brand or outsourcer": '« kind » doit valoir brand ou outsourcer.',
  "'lang' is en or fr": '« lang » vaut en ou fr.',
  "'lang' is fr or en": '« lang » vaut fr ou en.',
  "'lang' must be 'fr' or 'en'": '« lang » doit valoir « fr » ou « en ».',
  "'max_abandon' needs a 'patience' (Erlang A)": '« max_abandon » demande « patience » (Erlang A).',
  "'max_wait_s' needs 'overflow_to', the queue to move to":
    '« max_wait_s » demande « overflow_to », la file vers laquelle déborder.',
  "'month' is YYYY-MM": '« month » s’écrit AAAA-MM.',
  "'music' is a recording's id or null":
    '« music » est l’identifiant d’un enregistrement, ou null.',
  "'name' (in the query) is a text of 1 to %d bytes":
    '« name » (dans l’URL) est un texte de 1 à %d octets.',
  "'node' is the id of a question answered from the customer's words":
    '« node » est l’identifiant d’une question à laquelle les mots du client ont répondu.',
  "'note' is text of 1 to %d bytes": '« note » est un texte de 1 à %d octets.',
  "'number' is required": '« number » est obligatoire.',
  "'offline' is an object": '« offline » est un objet.',
  "'on' is true or false": '« on » vaut true ou false.',
  "'origins' lists 1 to %d origins like https://shop.example":
    '« origins » liste de 1 à %d origines comme https://shop.example.',
  "'outsourcers_listen' is true or false": '« outsourcers_listen » vaut true ou false.',
  "'password' goes with 'username'": '« password » va avec « username ».',
  "'password' is a text of %d to %d bytes (no quotes, backslashes or control characters)":
    '« password » est un texte de %d à %d octets (sans guillemets, barres obliques inverses ni caractères de contrôle).',
  "'password' is a text of 1 to %d bytes, no control characters":
    '« password » est un texte de 1 à %d octets, sans caractères de contrôle.',
  "'phone' is not a phone number": '« phone » n’est pas un numéro de téléphone.',
  "'prechat' is an object": '« prechat » est un objet.',
  "'prechat.topics' lists 0 to %d topics": '« prechat.topics » liste de 0 à %d sujets.',
  "'presence' is available, paused or offline": '« presence » vaut available, paused ou offline.',
  "'price' is required: what one position costs for one hour":
    '« price » est obligatoire : ce que coûte une position pendant une heure.',
  "'provider' is twilio or generic": '« provider » vaut twilio ou generic.',
  "'q' is not valid UTF-8": '« q » n’est pas de l’UTF-8 valide.',
  "'q' is the words searched, 1 to 1000 bytes":
    '« q » contient les mots cherchés, de 1 à 1 000 octets.',
  "'query' is not valid UTF-8": '« query » n’est pas de l’UTF-8 valide.',
  "'query' is the customer's words, at most 1000 bytes":
    '« query » contient les mots du client, au plus 1 000 octets.',
  "'query' is the words searched, 1 to 1000 bytes":
    '« query » contient les mots cherchés, de 1 à 1 000 octets.',
  "'query' is the words searched, at most 1000 bytes":
    '« query » contient les mots cherchés, au plus 1 000 octets.',
  "'queue_id' is a queue's id or null": '« queue_id » est l’identifiant d’une file, ou null.',
  "'queue_id' is one of the tenant's queues":
    '« queue_id » doit être l’une des files de la marque.',
  "'queue_id' is required": '« queue_id » est obligatoire.',
  "'queue_id' is the id of a queue": '« queue_id » est l’identifiant d’une file.',
  "'queues' holds queue ids": '« queues » contient des identifiants de files.',
  "'queues' is an array of at most %d queue ids":
    '« queues » est une liste d’au plus %d identifiants de files.',
  "'queues' must list 1 to %d queues": '« queues » doit lister de 1 à %d files.',
  "'rate_per_minute' is 1 to %d": '« rate_per_minute » vaut de 1 à %d.',
  "'reason' is wrong, outdated or unclear": '« reason » vaut wrong, outdated ou unclear.',
  "'register' is true or false": '« register » vaut true ou false.',
  "'register_expires' is a number of seconds from %d to %d":
    '« register_expires » est un nombre de secondes de %d à %d.',
  "'registrar' is sip:HOST or sip:HOST:PORT, with at most ;transport=udp or ;transport=tcp":
    '« registrar » s’écrit sip:HOTE ou sip:HOTE:PORT, avec au plus ;transport=udp ou ;transport=tcp.',
  "'replications' must be a whole number (%g given)":
    '« replications » doit être un nombre entier (%g donné).',
  "'reply' names a reply of the 'article' given":
    '« reply » désigne une réponse de l’« article » donné.',
  "'resolved' is true or false": '« resolved » vaut true ou false.',
  "'retention_days' is a number of days from 1 to %d":
    '« retention_days » est un nombre de jours de 1 à %d.',
  "'review_by' is a date (2027-01-31) or an RFC 3339 time":
    '« review_by » est une date (2027-01-31) ou une heure RFC 3339.',
  "'review_by' is in the past": 'La date de « review_by » est passée.',
  "'scenario' is a scenario's number, from 0":
    '« scenario » est le numéro d’un scénario, à partir de 0.',
  "'score' is an integer from 1 to 5": '« score » est un entier de 1 à 5.',
  "'session' is \"cookie\" when given": '« session », s’il est donné, vaut « cookie ».',
  "'skill_id' is required": '« skill_id » est obligatoire.',
  "'skills' is a list of up to %d {\"skill_id\", \"proficiency\"}":
    '« skills » est une liste d’au plus %d {"skill_id", "proficiency"}.',
  "'solved' is true or false": '« solved » vaut true ou false.',
  "'strategy' is longest_idle, best_skill, fewest_handled, least_talk, round_robin, random or ring_all":
    '« strategy » vaut longest_idle, best_skill, fewest_handled, least_talk, round_robin, random ou ring_all.',
  "'synonyms' is a list of 1 to 50 words or phrases":
    '« synonyms » est une liste de 1 à 50 mots ou expressions.',
  "'tags' must be an array of strings": '« tags » doit être une liste de chaînes de caractères.',
  "'tenant_id' must be a positive integer": '« tenant_id » doit être un entier positif.',
  "'text' is 1 to %d bytes": '« text » fait de 1 à %d octets.',
  "'to' comes after 'from', at most %d days later":
    '« to » vient après « from », au plus %d jours plus tard.',
  "'to' is a date YYYY-MM-DD": '« to » est une date AAAA-MM-JJ.',
  "'to' is an RFC 3339 UTC time": '« to » est une heure UTC RFC 3339.',
  "'to' is from 'from' to %d days after it": '« to » est entre « from » et %d jours après.',
  "'topic' is one of the chat's topics": '« topic » doit être l’un des sujets du chat.',
  "'tree' is a tree's id": '« tree » est l’identifiant d’un arbre.',
  "'tree' is the id of the tree to train on":
    '« tree » est l’identifiant de l’arbre sur lequel s’entraîner.',
  "'up_to' is a message id": '« up_to » est l’identifiant d’un message.',
  "'uri' is sip:{number}@HOST or sip:{number}@HOST:PORT, {number} the customer's number":
    '« uri » s’écrit sip:{number}@HOTE ou sip:{number}@HOTE:PORT, {number} étant le numéro du client.',
  "'username' goes with 'password'": '« username » va avec « password ».',
  "'username' is 1 to %d letters, digits or ._-+":
    '« username » fait de 1 à %d lettres, chiffres ou ._-+.',
  "'username' is a text of 1 to %d bytes, no quotes, backslashes or control characters":
    '« username » est un texte de 1 à %d octets, sans guillemets, barres obliques inverses ni caractères de contrôle.',
  "'waiting' or 'music' is required: an object or a recording's id, or null for the numbers' settings and the installation's music":
    '« waiting » ou « music » est obligatoire : un objet ou l’identifiant d’un enregistrement, ou null pour reprendre les réglages des numéros et la musique de l’installation.',
  "'week' is an ISO week, YYYY-Www (2026-W49)":
    '« week » est une semaine ISO, AAAA-Www (2026-W49).',
  "'when_closed' is wait, refuse or overflow": '« when_closed » vaut wait, refuse ou overflow.',
  "'word' is one word or phrase, 1 to 200 bytes":
    '« word » est un mot ou une expression, de 1 à 200 octets.',
  "'zone' is required: a time zone such as \"Europe/Paris\"":
    '« zone » est obligatoire : un fuseau horaire comme « Europe/Paris ».',
  'JSON nested deeper than %d levels': 'Le JSON est imbriqué sur plus de %d niveaux.',
  'Last-Event-ID (or after) is a message id':
    'Last-Event-ID (ou after) est l’identifiant d’un message.',
  'Last-Event-ID is an event id (an integer)':
    'Last-Event-ID est l’identifiant d’un événement (un entier).',
  'a %s takes no contacts: give the user a role that does (agent, expert, supervisor) first':
    'Le rôle %s ne reçoit pas de contacts : donnez d’abord à cette personne un rôle qui en reçoit (agent, expert, supervisor).',
  "a chat channel named '%.100s' exists": 'Un canal de chat nommé « %s » existe déjà.',
  'a class is basic, personal or confidential': 'Une classe vaut basic, personal ou confidential.',
  'a contact cannot go from %s to %s': 'Un contact ne peut pas passer de l’état %s à l’état %s.',
  'a customer needs an external_id, an email or a phone':
    'Un client a besoin d’un external_id, d’un email ou d’un phone.',
  'a customer with this external_id exists': 'Un client a déjà cet external_id.',
  'a disposition is given only when resolving':
    'Une qualification ne se donne qu’en résolvant le contact.',
  'a forecast needs at least two weeks of history':
    'Une prévision demande au moins deux semaines d’historique.',
  "a gesture needs a reason: give one, or set the contact's reason first":
    'Un geste commercial demande un motif : donnez-en un, ou donnez d’abord son motif au contact.',
  'a list of 1 to %d addresses to send the digest to':
    'Attendu : une liste de 1 à %d adresses auxquelles envoyer la synthèse.',
  "a mailbox named '%.100s' exists": 'Une boîte e-mail nommée « %s » existe déjà.',
  'a message needs MessageSid, From and Body, of sensible lengths':
    'Un message demande MessageSid, From et Body, de longueurs raisonnables.',
  "a messaging channel named '%.100s' exists": 'Un canal de messagerie nommé « %s » existe déjà.',
  "a pause needs a 'reason' (lunch, training, ...)":
    'Une pause demande un motif, « reason » (lunch, training…).',
  "a queue named '%.100s' exists": 'Une file nommée « %s » existe déjà.',
  'a recording is already named %.64s': 'Un enregistrement porte déjà le nom %s.',
  "a rule named '%.100s' exists": 'Une règle nommée « %s » existe déjà.',
  "a skill named '%.100s' exists": 'Une compétence nommée « %s » existe déjà.',
  'a tenant keeps at most %d recordings: remove one first':
    'Une marque garde au plus %d enregistrements : supprimez-en un d’abord.',
  "a tenant named '%s' exists": 'Une marque nommée « %s » existe déjà.',
  "a transfer names a 'queue_id', an 'agent_id', or both":
    'Un transfert désigne une file (« queue_id »), un agent (« agent_id ») ou les deux.',
  'a whole number of days': 'Attendu : un nombre entier de jours.',
  'a window is {"from": TIME, "to": TIME} in RFC 3339':
    'Un créneau s’écrit {"from": HEURE, "to": HEURE} en RFC 3339.',
  "acknowledgements are written in 'en' or 'fr'":
    'Les accusés de réception s’écrivent en « en » ou en « fr ».',
  'after wrap-up a contact is resolved or waiting_on_customer':
    'Après la clôture, un contact passe à resolved ou à waiting_on_customer.',
  "amount_cents is the value in the currency's minor unit, from 1 to %lld":
    '« amount_cents » est le montant dans la plus petite unité de la devise (les centimes), de 1 à %lld.',
  'an API token belongs to one tenant: log in as a person':
    'Un jeton d’API appartient à une seule marque : connectez-vous en tant que personne.',
  'an API token is not an agent': 'Un jeton d’API n’est pas un agent.',
  'an Idempotency-Key is 1 to 128 printable characters':
    'L’en-tête Idempotency-Key fait de 1 à 128 caractères imprimables.',
  "an agent's stream needs the agent's own session":
    'Le flux d’un agent demande sa propre session de connexion, pas un jeton d’API.',
  "an article or tree '%s' exists already: choose another id":
    'Un article ou un arbre « %s » existe déjà : choisissez un autre identifiant.',
  'an attachment holds at most %d bytes': 'Une pièce jointe fait au plus %d octets.',
  'an attribute is a string, {"value","class"} or null':
    'Un attribut est une chaîne de caractères, {"value","class"} ou null.',
  'an attribute name is at most %d bytes': 'Le nom d’un attribut fait au plus %d octets.',
  'an audience is one of {"all": true}, {"attribute": {"key", "value"}}, {"customers": [ids]}':
    'Les destinataires s’écrivent de l’une de ces façons : {"all": true}, {"attribute": {"key", "value"}}, {"customers": [identifiants]}.',
  'an author does not approve their own work%s': 'Un auteur n’approuve pas son propre travail%s.',
  "an organisation named '%s' exists": 'Une organisation nommée « %s » existe déjà.',
  "an update carries its 'text'": 'Une mise à jour doit avoir un « text ».',
  'another node routes this tenant now: try again':
    'Un autre nœud route cette marque en ce moment : réessayez.',
  'at most %d attributes': 'Au plus %d attributs.',
  'at most %d attributes in one change': 'Au plus %d attributs en une modification.',
  'at most %d tags': 'Au plus %d étiquettes.',
  'attribute names are 1 to 64 of [a-z0-9_]':
    'Le nom d’un attribut a de 1 à 64 caractères parmi [a-z0-9_].',
  'attribute values are at most %d bytes': 'La valeur d’un attribut fait au plus %d octets.',
  'beyond 100,000 agents or 50,000 Erlangs': 'Au-delà de 100 000 agents ou de 50 000 Erlangs.',
  'beyond what can be computed: more than 100,000 agents, or a queue too long':
    'Au-delà de ce qui peut être calculé : plus de 100 000 agents, ou une file trop longue.',
  "callbacks wait in one of the tenant's phone queues":
    'Les rappels attendent dans l’une des files téléphoniques de la marque.',
  'cannot hash the password now': 'Impossible de hacher le mot de passe pour le moment.',
  'cannot open a stream now': 'Impossible d’ouvrir un flux pour le moment.',
  'choose a tenant where you have a role (X-Guichet-Tenant)':
    'Choisissez une marque où vous avez un rôle (X-Guichet-Tenant).',
  'class must be basic, personal or confidential':
    'La classe doit valoir basic, personal ou confidential.',
  'conflicting update':
    'Modification en conflit : quelqu’un d’autre a changé cet élément entre-temps. Rechargez et réessayez.',
  'contact %lld is no web chat: send files by its own channel':
    'Le contact n° %lld n’est pas un chat web : envoyez les fichiers par son propre canal.',
  'control characters in the value': 'La valeur contient des caractères de contrôle.',
  "customer %lld is not one of the tenant's": 'Le client n° %lld n’est pas un client de la marque.',
  'drafts are for authors and reviewers':
    'Les brouillons sont réservés aux auteurs et aux relecteurs.',
  "duplicate tag '%.64s'": 'Étiquette en double : « %.64s ».',
  'each group is an object': 'Chaque groupe est un objet.',
  'each queue is an object': 'Chaque file est un objet.',
  'each skill is {"skill_id", "proficiency", "tier"}':
    'Chaque compétence s’écrit {"skill_id", "proficiency", "tier"}.',
  "each skill needs a 'skill_id'": 'Chaque compétence demande un « skill_id ».',
  'each tag must be a string of 1 to 64 bytes':
    'Chaque étiquette doit être une chaîne de 1 à 64 octets.',
  "either a 'body' or a canned reply's 'article' is needed, not both":
    'Il faut soit un « body », soit l’« article » d’une réponse type, pas les deux.',
  'enough mail went to this address this hour':
    'Cette adresse a déjà reçu assez d’e-mails cette heure-ci : réessayez plus tard.',
  "give 'max_attachment' and/or 'max_message', in bytes":
    'Donnez « max_attachment » et/ou « max_message », en octets.',
  "give 'tenant' or 'tenant_id', not both": 'Donnez « tenant » ou « tenant_id », pas les deux.',
  "give 'term' and 'item'": 'Donnez « term » et « item ».',
  "give 'word'": 'Donnez « word ».',
  "give 'word' and 'synonym'": 'Donnez « word » et « synonym ».',
  'give at least one template: {"declaration": {"en": {"subject", "body"}}}':
    'Donnez au moins un modèle : {"declaration": {"en": {"subject", "body"}}}.',
  "give the customer's words ('query') or a 'tree'":
    'Donnez les mots du client (« query ») ou un arbre (« tree »).',
  'give the day: date=YYYY-MM-DD': 'Donnez le jour : date=AAAA-MM-JJ.',
  'incident %lld has ended already': 'L’incident n° %lld est déjà terminé.',
  'incident %lld has ended: only its resolution is told':
    'L’incident n° %lld est terminé : seule sa résolution est annoncée.',
  "incident %lld has no '%s' template": 'L’incident n° %lld n’a pas de modèle « %s ».',
  'incident %lld has no audience: set it first':
    'L’incident n° %lld n’a pas de destinataires : définissez-les d’abord.',
  'incident %lld was declared already: broadcast an update':
    'L’incident n° %lld a déjà été déclaré : envoyez une mise à jour.',
  'incident %lld was resolved and its resolution told already':
    'L’incident n° %lld est résolu et sa résolution déjà annoncée.',
  'internal error': 'Erreur interne.',
  'item %zu is not {"code", "label"}': 'L’élément n° %zu ne s’écrit pas {"code", "label"}.',
  "item %zu: code '%s' is listed twice": 'Élément n° %zu : le code « %s » est listé deux fois.',
  "item %zu: code '%s' may hold only a-z, 0-9, '_' and '-'":
    'Élément n° %zu : le code « %s » ne peut contenir que a-z, 0-9, « _ » et « - ».',
  'keywords[%zu] is a phrase of 1 to %d bytes':
    '« keywords[%zu] » est une expression de 1 à %d octets.',
  'kind is credit, gift or waiver': '« kind » vaut credit, gift ou waiver.',
  'malformed JSON at line %d column %d: %s': 'JSON mal formé à la ligne %d, colonne %d : %s.',
  'malformed query string': 'Paramètres d’URL mal formés.',
  'mode is partial or all-or-nothing': '« mode » vaut partial ou all-or-nothing.',
  'no agent has answered in this chat: it has no conversation to send':
    'Aucun agent n’a répondu dans ce chat : il n’a pas de conversation à envoyer.',
  'no answer': 'Le serveur n’a pas donné de réponse.',
  "no answer was inferred from the customer's words%s%s":
    'Aucune réponse n’a été tirée des mots du client (question %2$s).',
  "no article or tree '%s'": 'Aucun article ni arbre « %s ».',
  'no contact %lld': 'Aucun contact n° %lld.',
  'no customer %lld in this tenant': 'Aucun client n° %s dans cette marque.',
  'no diagnostic tree covers these words: search the articles':
    'Aucun arbre de diagnostic ne couvre ces mots : cherchez dans les articles.',
  "no entry '%s' = '%s'": 'Aucune entrée « %s » = « %s ».',
  "no learned link from '%s' to '%s'": 'Aucun lien appris de « %s » vers « %s ».',
  'no email came in on this contact and the tenant has not one mailbox that sends (with an smtp_url) but several or none: name the mailbox to send from (mailbox_id)':
    'Aucun e-mail n’est arrivé sur ce contact, et la marque n’a pas une seule boîte mail qui envoie (avec une smtp_url), mais plusieurs ou aucune : choisissez la boîte d’envoi (mailbox_id).',
  'no mailbox %lld in this tenant': 'Aucune boîte mail n° %lld dans cette marque.',
  "no mailbox sends this brand's mail: a message left could not be answered":
    'Aucune boîte mail n’envoie les e-mails de cette marque : un message laissé ne pourrait pas recevoir de réponse.',
  'no open flag %lld': 'Aucun signalement ouvert n° %lld.',
  "no open time in the week (leave 'hours' out for always open)":
    'Aucune heure d’ouverture dans la semaine (retirez « hours » pour une ouverture permanente).',
  "no organisation named '%s'": 'Aucune organisation nommée « %s ».',
  'no path': 'La requête n’a pas de chemin.',
  "no proposal '%s'": 'Aucune proposition « %s ».',
  "no published article '%s'": 'Aucun article publié « %s ».',
  "no published article or tree '%s'": 'Aucun article ni arbre publié « %s ».',
  "no published tree '%s'": 'Aucun arbre publié « %s ».',
  'no queue %lld in this tenant': 'Aucune file n° %lld dans cette marque.',
  'no recording %lld in this tenant': 'Aucun enregistrement n° %lld dans cette marque.',
  'no session %lld here': 'Aucune session n° %lld ici.',
  'no skill %lld in this tenant': 'Aucune compétence n° %lld dans cette marque.',
  'no such %s in this tenant': 'Introuvable dans cette marque : %s.',
  'no such attachment in this chat': 'Cette pièce jointe n’existe pas dans ce chat.',
  'no such chat': 'Ce chat n’existe pas.',
  'no such chat in this tenant': 'Ce chat n’existe pas dans cette marque.',
  'no such endpoint': 'Cette adresse de l’API n’existe pas.',
  'no such help centre': 'Ce centre d’aide n’existe pas.',
  'no such page': 'Cette page n’existe pas.',
  'no such tenant': 'Cette marque n’existe pas.',
  "no tenant named '%s'": 'Aucune marque nommée « %s ».',
  'no user with this email': 'Aucun utilisateur n’a cette adresse e-mail.',
  "no version %lld of '%s'": 'Aucune version %lld de « %s ».',
  'nobody can take a chat now: leave a message or ask for a call':
    'Personne ne peut prendre de chat pour le moment : laissez un message ou demandez à être rappelé.',
  'not a message {"id","from","text",...} nor a receipt {"type":"receipt","id","status"}':
    'Ce n’est ni un message {"id","from","text",...} ni un accusé de réception {"type":"receipt","id","status"}.',
  "nothing to change: give 'default' or 'attributes'":
    'Rien à modifier : donnez « default » ou « attributes ».',
  'nothing to go back to: this is the first question':
    'Rien à défaire : c’est la première question.',
  'number %lld plays this recording (its menu or greeting): change it first':
    'Le numéro de téléphone n° %lld joue cet enregistrement (son menu ou son accueil) : changez-le d’abord.',
  "only 'If-None-Match: *' (create, never replace) is understood here":
    'Seul « If-None-Match: * » (créer, jamais remplacer) est compris ici.',
  "only a pause takes a 'reason'": 'Seule une pause prend un motif (« reason »).',
  'only a platform admin may do this': 'Seul un administrateur de la plateforme peut faire cela.',
  "only a rejection takes a 'comment'": 'Seul un renvoi à l’auteur (reject) prend un « comment ».',
  'only the agent holding this chat, or a supervisor, may follow it':
    'Seul l’agent qui a ce chat, ou un superviseur, peut le suivre.',
  'origins[%zu] is not an origin like https://shop.example[:port]':
    '« origins[%zu] » n’est pas une origine comme https://shop.example[:port].',
  'out of memory': 'Mémoire insuffisante.',
  'outcome is reached, no_answer, busy, voicemail or wrong_number':
    '« outcome » vaut reached, no_answer, busy, voicemail ou wrong_number.',
  "overflowing when closed needs 'overflow_to'":
    'Déborder pendant la fermeture demande « overflow_to ».',
  'prechat.topics[%zu] is text of 1 to 100 bytes':
    '« prechat.topics[%zu] » est un texte de 1 à 100 octets.',
  "publishing needs a reviewer's role": 'Publier demande un rôle de relecteur.',
  'queue %lld plays this recording as its music: change it first':
    'La file n° %lld joue cet enregistrement comme musique d’attente : changez-la d’abord.',
  'queue %lld serves %s; this sends it %s contacts':
    'La file n° %lld sert le canal %s ; ceci lui enverrait des contacts du canal %s.',
  "queue '%s' overflows back to itself through '%s': a contact would go round for ever":
    'La file « %s » déborde sur elle-même en passant par « %s » : un contact tournerait sans fin.',
  "registering needs 'username' and 'password'":
    'S’enregistrer auprès de l’opérateur demande « username » et « password ».',
  "resolving a contact needs a 'disposition' code":
    'Résoudre un contact demande un code de qualification (« disposition »).',
  'resolving a contact needs a disposition code':
    'Pour résoudre un contact, choisissez une qualification.',
  'ring_all is for phone queues': 'ring_all est réservé aux files téléphoniques.',
  "say why it is not resolved ('feedback')": 'Dites pourquoi ce n’est pas résolu (« feedback »).',
  'send %s': 'Le corps de la requête doit être de type %s.',
  "send the file's bytes as the request's body":
    'Envoyez le contenu du fichier comme corps de la requête.',
  'send the recording as audio/wav': 'Envoyez l’enregistrement en audio/wav.',
  'send {"tenant_id": ID} and nothing else': 'Envoyez {"tenant_id": ID} et rien d’autre.',
  'skill %lld is listed twice': 'La compétence n° %lld est listée deux fois.',
  'source is api or phone': '« source » vaut api ou phone.',
  'source is portal, chat or api': '« source » vaut portal, chat ou api.',
  'state is approved, pending or refused': '« state » vaut approved, pending ou refused.',
  'state is scheduled, waiting, offered, dialing, done, missed or cancelled':
    '« state » vaut scheduled, waiting, offered, dialing, done, missed ou cancelled.',
  'synonym %zu is not 1 to 200 bytes of text':
    'Le synonyme n° %zu n’est pas un texte de 1 à 200 octets.',
  'the ID of the mailbox that sends it': 'Attendu : l’identifiant de la boîte mail qui l’envoie.',
  "the SIP username %.64s is another agent's": 'L’identifiant SIP %s est celui d’un autre agent.',
  'the address to send the export to': 'Attendu : l’adresse à laquelle envoyer l’export.',
  "the article '%s' has no reply of that name": 'L’article « %s » n’a pas de réponse de ce nom.',
  'the body is not a form (application/x-www-form-urlencoded)':
    'Le corps n’est pas un formulaire (application/x-www-form-urlencoded).',
  'the body must be a JSON object': 'Le corps de la requête doit être un objet JSON.',
  "the body's 'id' is not the path's '%s'": 'L’« id » du corps n’est pas celui du chemin, « %s ».',
  'the brand does not let its outsourcers listen to its calls':
    'La marque ne permet pas à ses prestataires d’écouter ses appels.',
  'the calendar must be a JSON object': 'Le calendrier doit être un objet JSON.',
  "the call is another agent's": 'L’appel est celui d’un autre agent.',
  'the call is not on hold': 'L’appel n’est pas en attente.',
  'the call is on hold already': 'L’appel est déjà en attente.',
  'the change could not be saved: try again':
    'La modification n’a pas pu être enregistrée : réessayez.',
  "the channel's secret cannot be opened": 'Le secret du canal ne peut pas être déchiffré.',
  "the channel's secret cannot be read: %s": 'Le secret du canal ne peut pas être lu : %s.',
  'the client left': 'L’appelant s’est déconnecté.',
  'the contact could not be escalated: %s': 'Le contact n’a pas pu être escaladé : %s.',
  'the contact has no bridged call': 'Le contact n’a pas d’appel établi.',
  "the contact's customer has no email address to reply to": 'Le client de ce contact n’a pas d’adresse e-mail à laquelle répondre.',
  'the contact is %s in a queue: use accept, move or abandon':
    'Le contact attend dans une file (état : %s) : utilisez accept, move ou abandon.',
  'the contact is at version %lld, not %lld':
    'Le contact a été modifié entre-temps (version %s, et non %s) : rechargez-le et réessayez.',
  'the contact is closed': 'Le contact est clos.',
  'the contact is held by an agent: use wrapup, escalate or transfer':
    'Un agent a pris ce contact : utilisez wrapup, escalate ou transfer.',
  "the customer's hmac is not HMAC-SHA256(secret, id) of this channel":
    'Le hmac du client n’est pas HMAC-SHA256(secret, id) de ce canal.',
  'the database cannot be reached: try again': 'La base de données est injoignable : réessayez.',
  'the database does not answer': 'La base de données ne répond pas.',
  'the date is out of range': 'La date est hors limites.',
  'the default is a class': 'La valeur par défaut (« default ») est une classe.',
  'the diagnosis has not reached an answer yet':
    'Le diagnostic n’est pas encore arrivé à une réponse.',
  'the diagnosis has not reached an outcome yet':
    'Le diagnostic n’est pas encore arrivé à une conclusion.',
  "the digest's language: en or fr": 'Attendu : la langue de la synthèse, en ou fr.',
  'the email %.200s was taken already': 'L’adresse e-mail %s est déjà utilisée.',
  'the file holds no article or tree': 'Le fichier ne contient aucun article ni arbre.',
  'the file holds no resolution': 'Le fichier ne contient aucune résolution.',
  "the file is larger than this chat's %lld bytes":
    'Le fichier dépasse les %lld octets que permet ce chat.',
  'the gesture is already %s': 'Ce geste commercial n’attend plus de décision (état : %s).',
  'the history could not be read: %s': 'L’historique n’a pas pu être lu : %s.',
  'the interval must divide a day (900, 1800 ...)':
    'La durée de l’intervalle doit diviser une journée (900, 1800… secondes).',
  'the load (calls * aht / interval = %g Erlangs) is above 50000':
    'La charge (calls * aht / interval = %g Erlangs) dépasse 50 000.',
  'the local time to send at on Mondays, HH:MM from 00:00 to 23:59':
    'Attendu : l’heure locale d’envoi le lundi, HH:MM de 00:00 à 23:59.',
  'the local time to send at, HH:MM from 00:00 to 23:59':
    'Attendu : l’heure locale d’envoi, HH:MM de 00:00 à 23:59.',
  'the mailbox did not let us in: %s': 'La boîte mail ne nous a pas laissés entrer : %s.',
  'the mailbox has no smtp_url to send acknowledgements with':
    'La boîte mail n’a pas de smtp_url pour envoyer les accusés de réception.',
  'the number %.40s is already in use': 'Le numéro %s est déjà utilisé.',
  'the number to call back is needed': 'Le numéro à rappeler est obligatoire.',
  "the password cannot be opened: see the server's log":
    'Le mot de passe ne peut pas être déchiffré : voyez le journal du serveur.',
  "the password cannot be sealed: see the server's log":
    'Le mot de passe ne peut pas être chiffré : voyez le journal du serveur.',
  'the recording holds no sound': 'L’enregistrement ne contient aucun son.',
  "the recording's file is not here": 'Le fichier de l’enregistrement n’est pas sur ce serveur.',
  'the reply needs values this contact has not: %s':
    'La réponse demande des valeurs que ce contact n’a pas : %s.',
  'the reply shows customer data your role does not see (%s): a colleague who sees it sends this one':
    'La réponse montre des données du client que votre rôle ne voit pas (%s) : un collègue qui les voit l’envoie.',
  'the role %s does not allow this': 'Le rôle %s ne permet pas de faire cela.',
  'the scenario is a JSON object': 'Le scénario est un objet JSON.',
  'the secret cannot be sealed: %s': 'Le secret ne peut pas être chiffré : %s.',
  "the secret cannot be sealed: see the server's log":
    'Le secret ne peut pas être chiffré : voyez le journal du serveur.',
  'the server is shutting down': 'Le serveur s’arrête.',
  'the session has ended': 'La session est terminée.',
  'the session has ended already': 'La session est déjà terminée.',
  'the signature is missing or wrong': 'La signature est absente ou fausse.',
  'the signature is missing or wrong, or its timestamp is not within 5 minutes':
    'La signature est absente ou fausse, ou son horodatage n’est pas à moins de 5 minutes.',
  'the skill is used by %d queue(s) and %d agent(s)':
    'Cette compétence est utilisée par %d file(s) et %d agent(s) : retirez-la d’abord.',
  'the tenant has no SMS channel to send a broadcast by':
    'La marque n’a pas de canal SMS par lequel envoyer un message à ses destinataires.',
  'the tenant has no mailbox to send a broadcast from':
    'La marque n’a pas de boîte mail depuis laquelle envoyer un message à ses destinataires.',
  'the tenant has no social channel to send a broadcast by':
    'La marque n’a pas de canal de réseaux sociaux par lequel envoyer un message à ses destinataires.',
  'the tenant would have no tenant admin left': 'La marque n’aurait plus aucun administrateur.',
  "the tenant's time zone cannot be read": 'Le fuseau horaire de la marque ne peut pas être lu.',
  'the token is unknown, expired or revoked': 'Le jeton est inconnu, expiré ou révoqué.',
  'the tree has %zu scenarios': 'L’arbre n’a que %zu scénarios (numérotés à partir de 0).',
  'the user holds contacts: transfer or finish them first, then try again':
    'Cette personne a encore des contacts en cours : transférez-les ou terminez-les d’abord, puis réessayez.',
  'the user is disabled in this tenant: enable them first':
    'Cette personne est désactivée dans cette marque : réactivez-la d’abord.',
  'the visitor key cannot be derived: %s': 'La clé du visiteur ne peut pas être dérivée : %s.',
  'this address serves /metrics and /healthz only':
    'Cette adresse ne sert que /metrics et /healthz.',
  'this agent is at work for another brand: they go offline there first':
    'Cet agent est au travail pour une autre marque : il doit d’abord y passer hors ligne.',
  "this call needs 'Authorization: Bearer TOKEN'":
    'Cet appel demande « Authorization: Bearer JETON ».',
  "this call needs 'Authorization: Bearer TOKEN' or a session cookie":
    'Cet appel demande « Authorization: Bearer JETON » ou un cookie de session.',
  "this call needs the visitor's token of this chat, unexpired ('Authorization: Bearer TOKEN')":
    'Cet appel demande le jeton du visiteur de ce chat, non expiré (« Authorization: Bearer JETON »).',
  'this chat has ended': 'Ce chat est terminé.',
  'this chat has its %lld attachments already': 'Ce chat a déjà ses %lld pièces jointes.',
  'this chat takes no attachments': 'Ce chat ne prend pas de pièces jointes.',
  'this chat takes no messages': 'Ce chat ne reçoit plus de messages.',
  'this chat takes only files of the types its channel lists (told by their content, not their name)':
    'Ce chat ne prend que les fichiers des types que son canal liste (reconnus à leur contenu, pas à leur nom).',
  "this chat's form asks no '%s'": 'Le formulaire de ce chat ne demande pas « %s ».',
  "this chat's transcript was sent %d times already":
    'La transcription de ce chat a déjà été envoyée %d fois.',
  'this diagnosis has been passed to a person already':
    'Ce diagnostic a déjà été confié à une personne.',
  'this email cannot be used for a new user; if the person already has an account, a platform admin can give them a role here':
    'Cette adresse e-mail ne peut pas servir pour un nouvel utilisateur ; si la personne a déjà un compte, un administrateur de la plateforme peut lui donner un rôle ici.',
  'this field cannot be null': 'Ce champ ne peut pas valoir null.',
  'this key was used with another body in the last 24 hours':
    'Cette clé d’idempotence a servi avec un autre corps de requête dans les dernières 24 heures.',
  'this mailbox has no smtp_url to send with': 'Cette boîte mail n’a pas de smtp_url pour envoyer.',
  'this method is not allowed here': 'Cette méthode n’est pas permise ici.',
  'this service sends no email: no mailbox has an smtp_url':
    'Ce service n’envoie pas d’e-mails : aucune boîte mail n’a de smtp_url.',
  'this token cannot open a stream': 'Ce jeton ne peut pas ouvrir de flux.',
  'to comes after from, at most %d days later':
    '« to » vient après « from », au plus %d jours plus tard.',
  'too many failed logins: try again in %d seconds':
    'Trop de tentatives de connexion échouées : réessayez dans %d secondes.',
  'too many logins at once: try again in a second':
    'Trop de connexions à la fois : réessayez dans une seconde.',
  'too many requests of this kind at once: try again in a second':
    'Trop de requêtes de ce type à la fois : réessayez dans une seconde.',
  'too many requests: try again in %d seconds': 'Trop de requêtes : réessayez dans %d secondes.',
  'true or false': 'Attendu : true ou false.',
  'try again': 'Réessayez.',
  "unknown channel '%.16s'": 'Canal inconnu : « %.16s ».',
  "unknown channel '%s' for a broadcast (email, sms, social)":
    'Canal inconnu « %s » pour un envoi aux destinataires (email, sms, social).',
  "unknown day '%.16s' (mon..sun)": 'Jour inconnu : « %.16s » (mon..sun).',
  "unknown field '%.100s'": 'Champ inconnu : « %.100s ».',
  "unknown field '%s'": 'Champ inconnu : « %s ».',
  'unknown field (time, to, lang, mailbox_id, barometer)':
    'Champ inconnu (champs possibles : time, to, lang, mailbox_id, barometer).',
  'unknown field (time, to, mailbox_id)':
    'Champ inconnu (champs possibles : time, to, mailbox_id).',
  "unknown member '%s'": 'Champ inconnu : « %s ».',
  "unknown role '%.32s'": 'Rôle inconnu : « %.32s ».',
  "unknown state '%.32s'": 'État inconnu : « %.32s ».',
  'unknown time zone "%.64s"': 'Fuseau horaire inconnu : « %.64s ».',
  'unknown variable {{%s}}: a template may use {{contact.id}}, {{token}}, {{expected_reply}} and {{subject}}':
    'Variable inconnue, {{%s}} : un modèle peut employer {{contact.id}}, {{token}}, {{expected_reply}} et {{subject}}.',
  'updated_since is an RFC 3339 time like 2026-11-23T09:00:00Z':
    '« updated_since » est une heure RFC 3339 comme 2026-11-23T09:00:00Z.',
  'wrong email or password': 'Adresse ou mot de passe incorrect.',
  'you are at work for %s (%s): go offline there first, once the contacts you hold there are finished or transferred (contacts come from one brand at a time)':
    'Vous êtes au travail pour %s (%s) : terminez ou transférez d’abord les contacts que vous y tenez, puis passez hors ligne là-bas (les contacts viennent d’une seule marque à la fois).',
  'you have no role in tenant %lld': 'Vous n’avez pas de rôle dans la marque n° %lld.',
  "you have no role in tenant '%s'": 'Vous n’avez pas de rôle dans la marque « %s ».',
  'you have no role in this tenant': 'Vous n’avez pas de rôle dans cette marque.',
  'your role does not allow this%s%s': 'Votre rôle ne permet pas de faire cela%s%s.',
  'your role may not search by personal data':
    'Votre rôle ne permet pas de chercher par données personnelles.',
  // des valeurs que le serveur écrit lui-même : leurs mots, par position (errors.js)
  '"%.20s" %s': { text: '« %.20s » %s', values: { 2: RANGE } },
  "'%s': \"%.20s\" %s": { text: '« %s » : « %.20s » %s', values: { 3: RANGE } },
  "'%.64s' is %s: it cannot be %s": {
    text: '« %.64s » est %s : il ne peut pas être %s.',
    values: {
      2: { draft: 'un brouillon', review: 'en relecture', approved: 'approuvé', published: 'publié',
        archived: 'archivé' },
      3: {
        'submitted (only a draft is)': 'soumis (seul un brouillon l’est)',
        'approved (only what is in review is)': 'approuvé (seul ce qui est en relecture l’est)',
        'published (it needs its approvals first)': 'publié (il lui faut d’abord ses approbations)',
        'sent back (only what is in review or approved is)':
          'renvoyé en brouillon (seul ce qui est en relecture ou approuvé l’est)',
        'archived again': 'archivé à nouveau',
      },
    },
  },
  "'%.64s' already names an item of kind '%s'": {
    text: '« %.64s » désigne déjà %s.', values: { 2: { article: 'un article', tree: 'un arbre de diagnostic' } },
  },
  // un message du serveur dans un autre : dit par son propre modèle (errors.js)
  'item %zu: %s': { text: 'Élément %zu : %s', nested: [2] },
  // les notes que guichet écrit sur un contact (SYSTEM_NOTE dans src/)
  'Escalated from %s to %s: %s': 'Escaladé de %s vers %s : %s',
  'Transferred to %s: %s': 'Transféré vers %s : %s',
  'Callback attempt %d: %s%s%s': {
    text: 'Rappel, tentative %d : %s%s%s',
    values: { 2: { reached: 'joint', no_answer: 'pas de réponse', busy: 'occupé', voicemail: 'messagerie',
      wrong_number: 'faux numéro' }, 3: { '. ': '. ', '': '' } }, // 3 : ce qui précède la note, s'il y en a une
    nested: [4], // la note : celle de l'agent telle quelle, celles de guichet (ci-dessous) traduites
  },
  // les notes d'un rappel que guichet n'a pas pu appeler (src/channel/voice/voice.c, DIAL_NOT_*)
  "guichet could not call: the trunk's host name does not resolve":
    'guichet n’a pas pu appeler : le nom d’hôte du trunk ne se résout pas',
  'guichet could not call: the call could not be sent to the trunk':
    'guichet n’a pas pu appeler : l’appel n’a pas pu être envoyé au trunk',
  'Acknowledgement sent automatically to the customer: "%s"\n\n%.4000s':
    'Accusé de réception envoyé automatiquement au client : « %s »\n\n%.4000s',
  'An email to the customer was not delivered. The mail system said:\n%s':
    'Un e-mail au client n’a pas été remis. Le système de messagerie a répondu :\n%s',
  'This reply could not be sent: %s.': 'Cette réponse n’a pas pu être envoyée : %s.',
  'This reply could not be sent: %s': 'Cette réponse n’a pas pu être envoyée : %s',
  'This message could not be sent: %s.': 'Ce message n’a pas pu être envoyé : %s.',
  'This message could not be sent: %s': 'Ce message n’a pas pu être envoyé : %s',
  // les sujets que guichet donne aux contacts qu'il crée (SYSTEM_NOTE ; errors.js, localSubject)
  'Callback': 'Rappel',
  'Call from %s': 'Appel du %s',
  'Call from an unknown number': 'Appel d’un numéro inconnu',
  'Chat': 'Chat',
  'Chat with %s': 'Chat avec %s',
  'Chat with %s: %s': 'Chat avec %s : %s',
  'Chat: %s': 'Chat : %s',
  'Message left on the chat': 'Message laissé sur le chat',
  'Message left on the chat by %s': 'Message laissé sur le chat par %s',
  // les autres
  "'%s' names its host by a name or an IPv4 address: guichet's SIP runs over IPv4, not IPv6":
    '« %s » désigne son hôte par un nom ou une adresse IPv4 : le SIP de guichet passe par IPv4, pas par IPv6.',
  'no agent %lld among those you manage': 'Aucun conseiller n° %lld parmi ceux que vous encadrez.',
  '%s is 0 to %lld bytes': '« %s » est un nombre d’octets de 0 à %lld.',
  'an attachment needs a size, a content type and a hash':
    'Une pièce jointe demande une taille, un type de contenu et une empreinte.',
  "an attachment's chunk is at most %u bytes": 'Un morceau de pièce jointe fait au plus %u octets.',
  'at most %d attributes in the policy': 'La politique compte au plus %d attributs.',
  'attachment %lld: its chunks hold %lld bytes of %lld':
    'Pièce jointe n° %lld : ses morceaux contiennent %lld octets sur %lld.',
  'attributes.%s: a %s value is above what your role sees':
    'attributes.%s : une valeur de classe « %s » dépasse ce que votre rôle voit.',
  "attributes.%s: the tenant's policy classes it %s; a tenant admin changes that (PATCH /api/v1/customer-attributes)":
    'attributes.%s : la politique de la marque le classe « %s » ; un administrateur de la marque peut le changer'
    + ' (PATCH /api/v1/customer-attributes).',
  'statement cache full': 'Le cache des requêtes du serveur est plein (erreur interne).',
  "the tenant's policy classes '%s' %s, above what your role sees":
    'La politique de la marque classe « %s » en « %s », au-dessus de ce que votre rôle voit.',
  'this node no longer routes tenant %lld': 'Ce nœud ne route plus la marque n° %lld : réessayez.',
  // les refus des rappels (src/daemon/callback.c)
  "'%s' is text of at most %zu bytes, without control characters":
    '« %s » est un texte d’au plus %zu octets, sans caractère de contrôle.',
  "'phone' is a telephone number of 32 characters at most": '« phone » est un numéro de téléphone de 32 caractères au plus.',
  'a callback waits in a phone queue': 'Un rappel attend dans une file téléphonique.',
  'a window has both from and to': 'Une plage a un début (from) et une fin (to).',
  'no such callback': 'Ce rappel n’existe pas.',
  'only the agent who holds it, or a supervisor, records its outcome':
    'Seul l’agent qui le tient, ou un superviseur, en enregistre l’issue.',
  'source is portal, chat, api or phone': 'La source est portal, chat, api ou phone.',
  'the callback is %s, not being dialled: accept its offer first': {
    text: 'Le rappel est %s, pas en cours d’appel : acceptez d’abord son offre.',
    values: { 1: CALLBACK_STATES },
  },
  'the callback is %s: only a scheduled, waiting or offered one is cancelled': {
    text: 'Le rappel est %s : seul un rappel planifié, en attente ou proposé s’annule.',
    values: { 1: CALLBACK_STATES },
  },
  "the window cannot be placed in the tenant's calendar": 'La plage ne peut pas être placée dans le calendrier de la marque.',
  'the window has ended already: give one in the future': 'La plage est déjà passée : donnez-en une à venir.',
  "the window is wholly outside the tenant's business hours": 'La plage est entièrement hors des heures d’ouverture de la marque.',
  'the window must end within 14 days': 'La plage doit finir dans les 14 jours.',
  "the window's from must come before its to": 'Le début de la plage (from) doit précéder sa fin (to).',
  'this tenant takes no callback requests yet: it has no callback queue (PUT /api/v1/callbacks/settings)':
    'Cette marque ne prend pas encore de demandes de rappel : elle n’a pas de file de rappel (PUT /api/v1/callbacks/settings).',
  // le moteur de routage (src/daemon/router.c, route_refuse) et les opérations communes (src/daemon/ops.c)
  '%s: contacts wait in this queue: its skill, channel and level cannot change until it is empty': {
    text: 'Des contacts attendent dans cette file : %s ne peut changer tant qu’elle n’est pas vide.',
    values: { 1: QUEUE_FIELDS },
  },
  '%u contact(s) wait in this queue: move them first': '%u contact(s) attendent dans cette file : déplacez-les d’abord.',
  'agent_id: no agent %lld in this tenant': 'Aucun agent n° %lld dans cette marque.',
  'an offer cannot be withdrawn': 'L’offre ne peut pas être retirée.',
  'agent_id: the agent is offline and would not get it: transfer to a queue, or to an agent who is working':
    'L’agent est hors ligne et ne le recevrait pas : transférez vers une file, ou vers un agent au travail.',
  'agent_id: the agent takes no %s contacts (its capacity there is 0)': {
    text: 'L’agent ne prend aucun contact %s (sa capacité y est de 0).',
    values: { 1: CHANNELS },
  },
  'agent_id: you hold the contact already': 'Vous tenez déjà ce contact.',
  'an email address or a phone is needed to find a customer':
    'Il faut une adresse e-mail ou un téléphone pour trouver un client.',
  'channel: other queues, serving another channel, overflow to this one; change their overflow_to first':
    'D’autres files, d’un autre canal, débordent vers celle-ci : changez d’abord leur débordement (overflow_to).',
  'no such contact in a queue': 'Ce contact n’est dans aucune file.',
  'no such contact in this tenant': 'Ce contact n’existe pas dans cette marque.',
  'not a telephone number as ops_phone_key keeps it': 'Ce n’est pas un numéro de téléphone.',
  'not an email address': 'Ce n’est pas une adresse e-mail.',
  'only a waiting contact can leave its queue': 'Seul un contact en attente peut quitter sa file.',
  'only a waiting or offered contact can be abandoned': 'Seul un contact en attente ou proposé peut être abandonné.',
  'overflow_to: no queue %lld in this tenant': 'Débordement : aucune file n° %lld dans cette marque.',
  'overflow_to: queue %lld overflows back to this one; a contact would go round for ever':
    'Débordement : la file n° %lld déborde vers celle-ci ; un contact tournerait sans fin.',
  'overflow_to: queue %lld serves %s, this one %s; a contact overflows only to a queue of its channel': {
    text: 'Débordement : la file n° %lld sert le canal %s, celle-ci %s ; un contact ne déborde que vers une file de son canal.',
    values: { 2: CHANNELS, 3: CHANNELS },
  },
  "queue_id: an escalation goes to another queue of level-2 experts (%s is this contact's queue); transfer to reach a queue of the same level":
    'Une escalade va vers une autre file d’experts de niveau 2 (« %s » est la file de ce contact) ; transférez pour une file de même niveau.',
  'queue_id: an escalation goes to another queue of level-2 experts (%s is level 1); transfer to reach a queue of the same level':
    'Une escalade va vers une autre file d’experts de niveau 2 (« %s » est de niveau 1) ; transférez pour une file de même niveau.',
  'queue_id: the queue serves %s, the contact is %s': {
    text: 'La file sert le canal %s, le contact est en %s.',
    values: { 1: CHANNELS, 2: CHANNELS },
  },
  "the agent's profile is not valid": 'Le profil de l’agent n’est pas valide.',
  'the agent holds more contacts than the new capacities allow: let them finish first':
    'L’agent tient plus de contacts que ne le permettent les nouvelles capacités : laissez-le d’abord les terminer.',
  'the agent still holds contacts: finish or transfer them before going offline':
    'L’agent tient encore des contacts : terminez-les ou transférez-les avant de vous déconnecter.',
  'the agent still holds contacts: finish or transfer them first':
    'L’agent tient encore des contacts : terminez-les ou transférez-les d’abord.',
  'the contact cannot be escalated': 'Le contact ne peut pas être escaladé.',
  'the contact cannot be moved': 'Le contact ne peut pas être déplacé.',
  'the contact cannot be queued': 'Le contact ne peut pas être mis en file.',
  'the contact cannot be transferred': 'Le contact ne peut pas être transféré.',
  'the contact cannot be wrapped up': 'Le contact ne peut pas être clôturé.',
  'the contact is already in a queue': 'Le contact est déjà dans une file.',
  'the contact is being offered: move it once answered or expired':
    'Le contact est en cours de proposition : déplacez-le une fois accepté ou expiré.',
  'the contact is in no queue': 'Le contact n’est dans aucune file.',
  'the contact is not (or no longer) offered to you': 'Ce contact ne vous est pas (ou plus) proposé.',
  'the contact waits in no queue': 'Le contact n’attend dans aucune file.',
  'the email address is too long': 'L’adresse e-mail est trop longue.',
  "the queue's first-response target is more than ten years of the tenant's business hours away":
    'L’objectif de première réponse de la file est à plus de dix ans d’heures d’ouverture de la marque.',
  'the presence cannot be changed': 'La présence ne peut pas être changée.',
  'the queue cannot be deleted': 'La file ne peut pas être supprimée.',
  "the queue's configuration is not valid": 'La configuration de la file n’est pas valide.',
  'the routing engine failed': 'Le moteur de routage a échoué.',
  "the tenant's calendar cannot be read: set it again": 'Le calendrier de la marque est illisible : enregistrez-le de nouveau.',
  'user %lld has no agent profile in this tenant': 'L’utilisateur n° %lld n’a pas de profil d’agent dans cette marque.',
  'you do not hold this contact (accept it first)': 'Vous ne tenez pas ce contact (acceptez-le d’abord).',
};
