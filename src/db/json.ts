/** JSON columns are text on both dialects; a corrupt value is reported, not silently replaced. */
export function parseJsonColumn<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new Error(`Corrupt JSON in ${where}: ${(cause as Error).message}`, { cause });
  }
}
