// Small helpers shared by the web benchmark's measurements.

// Logs in through the page, as a person does.
export async function login(page, url, email, password) {
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// The q-th quantile (0..1) of a list of numbers, nearest rank.
export function percentile(list, q) {
  if (!list.length) return NaN;
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const round = (v, digits = 1) => Number(v.toFixed(digits));
