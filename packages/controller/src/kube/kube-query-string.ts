/** `?a=1&b=2` for the query parameters of a request (`undefined` values left out), or `''` when there are none. */
export function kubeQueryString(
  query: Readonly<Record<string, string | number | boolean | undefined>> | undefined,
): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}
