// Who is logged in, and what their role allows.

const RANK = { viewer: 1, operator: 2, admin: 3 };

export const session = {
  name: null,
  role: null,
  /** true when the server has no auth yet (GET /api/me answered 404) */
  anonymous: false,
};

export function can(role) {
  return (RANK[session.role] || 0) >= RANK[role];
}
