// The pages of the web desktop and who sees them. Each page's code is
// loaded when first opened (a dynamic import: a chunk of its own), so the
// agent desktop's first load carries none of the others. A person's roles
// come from GET /me; the first page listed for them opens first.
export const PAGES = [
  { id: 'admin', roles: ['tenant_admin'], load: () => import('./admin/Admin.jsx').then((m) => m.Admin) },
  { id: 'supervisor', roles: ['supervisor', 'tenant_admin'], load: () => import('./supervisor/Supervisor.jsx').then((m) => m.Supervisor) },
  { id: 'agent', roles: null, load: null }, // every role: the agent desktop, in the first load
];

// The pages a role may open, in order (the agent desktop always last).
export function pagesFor(role) {
  return PAGES.filter((p) => p.roles === null || p.roles.includes(role));
}
