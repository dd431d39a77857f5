/** Harbor's role ids and the translation keys of their names (common namespace). */
export const roleKeys: Record<number, string> = {
  1: 'role.projectAdmin',
  2: 'role.developer',
  3: 'role.guest',
  4: 'role.maintainer',
  5: 'role.limitedGuest',
};
