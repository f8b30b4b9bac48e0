// The pages of the web desktop and who sees them. Each page's code is
// loaded when first opened (a dynamic import: a chunk of its own), so the
// agent desktop's first load carries none of the others. A person's roles
// come from GET /me; the first page listed for them opens first. The
// address #<id>/<route> opens page id with its route (an item's key...),
// given to the page as the prop route. Each page is offered only to the
// roles whose permissions its calls need (src/model/role.c): the agent
// desktop to those who take contacts, never to authors, reviewers or
// planners, whose first calls would be refused.
const workshop = () => import('./workshop/Workshop.jsx').then((m) => m.Workshop);
const upkeep = () => import('./upkeep/Upkeep.jsx').then((m) => m.Upkeep);

export const PAGES = [
  { id: 'admin', roles: ['tenant_admin'], load: () => import('./admin/Admin.jsx').then((m) => m.Admin) },
  { id: 'supervisor', roles: ['supervisor', 'tenant_admin'], load: () => import('./supervisor/Supervisor.jsx').then((m) => m.Supervisor) },
  // authors and reviewers, who take no contacts, land on the knowledge workshop
  { id: 'workshop', roles: ['author', 'reviewer', 'tenant_admin'], load: workshop },
  { id: 'upkeep', roles: ['author', 'reviewer', 'tenant_admin'], load: upkeep },
  // the agent desktop, in the first load: the roles that take contacts (routing work)
  { id: 'agent', roles: ['agent', 'outsourced_agent', 'expert', 'supervisor', 'tenant_admin'], load: null },
  // planners plan the staff; the day so far and the knowledge are not theirs
  { id: 'planning', roles: ['planner'], load: () => import('./planning/Planning.jsx').then((m) => m.Planning) },
  // after the desktop: experts take contacts first, and have the knowledge's pages too
  { id: 'workshop', roles: ['expert'], load: workshop },
  { id: 'upkeep', roles: ['expert'], load: upkeep },
  { id: 'training', roles: ['agent', 'outsourced_agent', 'expert', 'supervisor', 'author', 'reviewer', 'tenant_admin'], load: () => import('./training/Training.jsx').then((m) => m.Training) },
];

// The pages a role may open, in order.
export function pagesFor(role) {
  return PAGES.filter((p) => p.roles.includes(role));
}
