// Les messages d'erreur du serveur en français, par leur modèle (le texte
// anglais que l'API envoie dans `template` ; web/scripts/server-messages.mjs
// les liste). Chaque valeur (%s, %d, %lld, %.1f…) garde sa place dans l'ordre
// des valeurs ; %2$s prend la deuxième. Voir errors.js.
export default {
  "a tenant named '%s' exists": 'Une marque nommée « %s » existe déjà.',
  'the session has ended': 'La session est terminée.',
  'the user holds contacts: transfer or finish them first, then try again':
    'Cette personne a encore des contacts en cours : transférez-les ou terminez-les d’abord, puis réessayez.',
  'this chat takes no messages': 'Ce chat ne reçoit plus de messages.',
  'you are at work for %s: go offline there first (contacts come from one brand at a time)':
    'Vous êtes au travail pour %s : passez d’abord hors ligne là-bas (les contacts viennent d’une seule marque à la fois).',
};
