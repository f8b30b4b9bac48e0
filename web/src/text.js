// Text as a filter compares it: lower case, without accents ("Élodie" is
// found by "elodie"). One helper for every screen that finds by name.
export function folded(text) {
  return String(text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}
