/** Harbor's password rule: 8 to 128 characters with at least one upper, one lower and one digit. */
export function passwordProblem(password: string): string | null {
  if (password.length < 8 || password.length > 128) return 'password must be 8 to 128 characters long';
  if (!/[A-Z]/.test(password)) return 'password must contain an uppercase letter';
  if (!/[a-z]/.test(password)) return 'password must contain a lowercase letter';
  if (!/[0-9]/.test(password)) return 'password must contain a digit';
  return null;
}
