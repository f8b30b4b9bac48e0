// The pages of the web desktop and who sees them. Each page's code is
// loaded when first opened (a dynamic import: a chunk of its own), so the
// agent desktop's first load carries none of the others. A person's roles
// come from GET /me; the first page listed for them opens first.
// the knowledge workshop: authors and reviewers start there, experts on the agent desktop
const workshop = () => import('./workshop/Workshop.jsx').then((m) => m.Workshop);

export const PAGES = [
  { id: 'supervisor', roles: ['supervisor', 'tenant_admin'], load: () => import('./supervisor/Supervisor.jsx').then((m) => m.Supervisor) },
  { id: 'workshop', roles: ['author', 'reviewer', 'tenant_admin'], load: workshop },
  { id: 'agent', roles: null, load: null }, // every role: the agent desktop, in the first load
  { id: 'workshop', roles: ['expert'], load: workshop }, // experts take contacts first
];

// The pages a role may open, in order (the agent desktop last but for experts).
export function pagesFor(role) {
  return PAGES.filter((p) => p.roles === null || p.roles.includes(role));
}
