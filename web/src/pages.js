// The pages of the web desktop and who sees them. Each page's code is
// loaded when first opened (a dynamic import: a chunk of its own), so the
// agent desktop's first load carries none of the others. A person's roles
// come from GET /me; the first page listed for them opens first. The
// address #<id>/<route> opens page id with its route (an item's key...),
// given to the page as the prop route.
export const PAGES = [
  { id: 'supervisor', roles: ['supervisor', 'tenant_admin'], load: () => import('./supervisor/Supervisor.jsx').then((m) => m.Supervisor) },
  // authors and reviewers, who take no contacts, land on the knowledge's upkeep
  { id: 'upkeep', roles: ['author', 'reviewer', 'tenant_admin'], load: () => import('./upkeep/Upkeep.jsx').then((m) => m.Upkeep) },
  { id: 'agent', roles: null, load: null }, // every role: the agent desktop, in the first load
  // after the desktop: experts land on it, and have the upkeep too (the same page, listed later for them)
  { id: 'upkeep', roles: ['expert'], load: () => import('./upkeep/Upkeep.jsx').then((m) => m.Upkeep) },
  { id: 'training', roles: ['agent', 'outsourced_agent', 'expert', 'supervisor', 'author', 'reviewer', 'tenant_admin'], load: () => import('./training/Training.jsx').then((m) => m.Training) },
];

// The pages a role may open, in order.
export function pagesFor(role) {
  return PAGES.filter((p) => p.roles === null || p.roles.includes(role));
}
