// Goodwill gestures in the browser, called by run.mjs with its daemon,
// browser and helpers. The agent's desk starts with its stream cut: the
// contact made meanwhile is offered once the stream opens. An agent holding a contact records a credit within
// its limit (approved at once), a bad amount is shown at its field, and a
// gift above the limit waits; a supervisor finds it in the Gestures tab,
// approves it with a note, and the last 30 days per reason show it.
// axe-core finds no serious or critical violation in English and French.

async function login(page, url, email, password) {
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function gestureTests({ browser, url, admin, step, accessible, password }) {
  const skill = await admin('POST', '/api/v1/skills', { name: 'gestures' });
  const queue = await admin('POST', '/api/v1/queues', { name: 'Complaints', skill_id: skill.id, channel: 'email' });
  const agent = await admin('POST', '/api/v1/users', { email: 'kind@a.example', name: 'Kim Kind', password, role: 'agent' });
  await admin('PUT', `/api/v1/agents/${agent.id}`, { level: 1, skills: [{ skill_id: skill.id, proficiency: 5, tier: 1 }],
    capacity: { email: 1 } });
  await admin('POST', '/api/v1/users', { email: 'approver@a.example', name: 'Ada Approver', password, role: 'supervisor' });
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  let contact = null;
  try {
    await step('gestures: the agent records a credit within its limit, approved at once', async () => {
      // the desk's stream cannot open at first (cut): what comes meanwhile is offered once it does
      await page.route('**/api/v1/events', (r) => r.abort());
      await login(page, url, 'kind@a.example', password);
      await page.getByRole('radio', { name: 'Available' }).click();
      await page.locator('[role="radio"][aria-checked="true"]', { hasText: 'Available' }).waitFor();
      contact = await admin('POST', '/api/v1/contacts', { channel: 'email', subject: 'Parcel three weeks late',
        message: 'Still nothing.', reason: 'late delivery', queue_id: queue.id });
      const offer = page.locator(`.offer[data-contact="${contact.id}"]`);
      await page.waitForTimeout(500);
      if (await offer.count()) throw new Error('offered through a cut stream');
      await page.unroute('**/api/v1/events');
      await offer.getByRole('button', { name: 'Accept' }).click();
      await page.getByRole('tab', { name: `#${contact.id}` }).click();
      const panel = page.getByRole('region', { name: 'Goodwill gestures' });
      await panel.getByText('None on this contact.').waitFor();
      await panel.getByLabel('Amount').fill('abc');
      await panel.getByRole('button', { name: 'Record the gesture' }).click();
      await panel.getByRole('alert').getByText('Type an amount such as 25 or 25.50.').waitFor();
      if ((await panel.getByLabel('Amount').getAttribute('aria-invalid')) !== 'true') throw new Error('amount not marked');
      await panel.getByLabel('Amount').fill('15,50');
      await panel.getByRole('button', { name: 'Record the gesture' }).click();
      await panel.getByRole('status').getByText('Gesture of €15.50 recorded.').waitFor();
      // said again in the language the agent switches to, the amount written its way
      await page.getByLabel('Language').selectOption('fr');
      await page.locator('.gst-status', { hasText: /^Geste de 15,50\s€ enregistré\.$/ }).waitFor();
      await page.getByLabel('Langue').selectOption('en');
      await panel.locator('li', { hasText: 'late delivery' }).getByText('Approved').waitFor();
      const { items } = await admin('GET', `/api/v1/contacts/${contact.id}/gestures`);
      if (items.length !== 1 || items[0].amount_cents !== 1550 || items[0].state !== 'approved') throw new Error(JSON.stringify(items));
    });
    await step('gestures: a gift above the limit waits for a supervisor', async () => {
      const panel = page.getByRole('region', { name: 'Goodwill gestures' });
      await panel.getByLabel('Kind').selectOption('gift');
      await panel.getByLabel('Amount').fill('80');
      await panel.getByLabel('Note for the approver (optional)').fill('third complaint this year');
      await panel.getByRole('button', { name: 'Record the gesture' }).click();
      await panel.getByRole('status').getByText(/waits for a supervisor’s approval/).waitFor();
      await panel.locator('li', { hasText: 'Gift' }).getByText('Waiting for approval').waitFor();
    });
    await step('gestures: the agent\'s panel has no serious accessibility violation (en, fr)', async () => {
      await accessible(page, 'gestures (en)');
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('region', { name: 'Gestes commerciaux' }).getByText('En attente de validation').waitFor();
      await accessible(page, 'gestures (fr)');
      await page.getByLabel('Langue').selectOption('en');
    });
  } finally {
    await context.close();
  }
  const floor = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  const sup = await floor.newPage();
  sup.setDefaultTimeout(10000);
  try {
    await step('gestures: the supervisor approves the waiting gift with a note', async () => {
      await login(sup, url, 'approver@a.example', password);
      await sup.getByRole('tab', { name: 'Gestures' }).click();
      const { items } = await admin('GET', '/api/v1/gestures?state=pending');
      const gift = items.find((g) => g.contact_id === contact.id);
      if (!gift) throw new Error('no pending gift');
      const row = sup.locator(`li[data-gesture="${gift.id}"]`);
      await row.getByText('third complaint this year').waitFor();
      await row.getByLabel(`Note on gesture #${gift.id} (optional)`).fill('loyal customer');
      await row.getByRole('button', { name: `Approve #${gift.id}` }).click();
      await sup.getByRole('status').getByText(`Gesture #${gift.id} approved.`).waitFor();
      await row.waitFor({ state: 'detached' });
      const stored = await admin('GET', `/api/v1/gestures/${gift.id}`);
      if (stored.state !== 'approved' || stored.decided_by !== 'approver@a.example' || stored.decision_note !== 'loyal customer')
        throw new Error(JSON.stringify(stored));
      const byReason = sup.getByRole('table', { name: 'Per reason' });
      await byReason.getByRole('row', { name: /late delivery/ }).getByRole('cell').first().getByText('2').waitFor();
    });
    await step('gestures: the supervisor\'s tab has no serious accessibility violation (en, fr)', async () => {
      await accessible(sup, 'gestures tab (en)');
      await sup.getByLabel('Language', { exact: true }).selectOption('fr');
      await sup.getByRole('heading', { name: 'Gestes en attente de votre décision' }).waitFor();
      await accessible(sup, 'gestures tab (fr)');
      await sup.getByLabel('Langue', { exact: true }).selectOption('en');
    });
  } finally {
    await floor.close();
  }
}
