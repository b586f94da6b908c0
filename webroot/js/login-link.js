// The confirm step of a ?token= link that another page led to: a click logs in with a same-origin
// POST /api/login, then opens the UI (replacing this address, which holds the token).

const form = document.getElementById('link-login');
const msg = document.getElementById('link-msg');

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const token = document.getElementById('link-token').value;
  let response;
  try {
    response = await fetch('api/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ token }),
    });
  } catch (networkError) {
    response = null;
  }
  if (response && response.ok) {
    location.replace('./');
    return;
  }
  const problem = response ? await response.json().catch(() => ({})) : {};
  msg.textContent = problem.detail || 'The server cannot be reached; is scriptd running?';
  msg.hidden = false;
});
