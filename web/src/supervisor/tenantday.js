// The tenant's day and month: the reports count in the zone of the
// tenant's calendar (GET /api/v1/calendar; "UTC" for a tenant without
// one), not in the zone of the browser that reads them, so a supervisor
// offshore opens on the tenant's today. Dates are YYYY-MM-DD, months
// YYYY-MM; an unknown zone falls back to the browser's.
import { call } from '../api.js';

// The tenant's zone, or undefined when the calendar cannot be read.
export function tenantZone() {
  return call('GET', '/api/v1/calendar').then((c) => c.zone || undefined, () => undefined);
}

export function today(zone) {
  const parts = { year: 'numeric', month: '2-digit', day: '2-digit' };
  try {
    return new Intl.DateTimeFormat('en-CA', { ...parts, timeZone: zone }).format(new Date());
  } catch {
    return new Intl.DateTimeFormat('en-CA', parts).format(new Date());
  }
}

export function thisMonth(zone) {
  return today(zone).slice(0, 7);
}

// An instant's time of day (HH:MM in the reader's language) in the zone.
export function timeOfDay(lang, iso, zone) {
  const parts = { hour: '2-digit', minute: '2-digit' };
  try {
    return new Intl.DateTimeFormat(lang, { ...parts, timeZone: zone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(lang, parts).format(new Date(iso));
  }
}
