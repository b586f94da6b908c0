// Who is logged in, and what their role allows.

const RANK = { viewer: 1, operator: 2, admin: 3 };

export const session = {
  name: null,
  role: null,
  /** true when the server runs with auth off (GET /api/me answered auth: false) */
  anonymous: false,
};

export function can(role) {
  return (RANK[session.role] || 0) >= RANK[role];
}
