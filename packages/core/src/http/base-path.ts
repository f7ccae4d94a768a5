/**
 * Normalises a mount path: a leading `/`, no trailing `/`, and `''` for the
 * root, so `${basePath}/api` is always right.
 *
 * @example
 * ```ts
 * normalizeBasePath('/admin/queues/'); // '/admin/queues'
 * normalizeBasePath('admin');          // '/admin'
 * normalizeBasePath('/');              // ''
 * ```
 */
export function normalizeBasePath(basePath: string | undefined = ''): string {
  if (/[?#]/.test(basePath)) {
    throw new TypeError(`basePath must be a path, without a query or fragment: ${basePath}`);
  }
  const trimmed = basePath
    .trim()
    .replace(/\/{2,}/g, '/')
    .replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/**
 * The part of a URL path below `basePath` (a normalised mount path), starting
 * with `/`, or `null` when the path is outside it.
 *
 * @example
 * ```ts
 * stripBasePath('/admin/queues/api/overview', '/admin/queues'); // '/api/overview'
 * stripBasePath('/admin/queues', '/admin/queues');              // '/'
 * stripBasePath('/other', '/admin/queues');                     // null
 * ```
 */
export function stripBasePath(pathname: string, basePath: string): string | null {
  if (basePath === '') return pathname.startsWith('/') ? pathname : `/${pathname}`;
  if (pathname === basePath) return '/';
  if (pathname.startsWith(`${basePath}/`)) return pathname.slice(basePath.length);
  return null;
}
