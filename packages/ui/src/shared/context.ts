import { createContext } from '@lit/context';
import type { QadminClient } from '@qadmin/client';
import type { UiConfig } from '@qadmin/core';

/**
 * The API every qadmin element reads from: a {@link QadminClient} (or anything
 * with the same methods, such as a fake in tests).
 */
export type QadminApi = QadminClient;

/**
 * Context through which an enclosing element (`qadmin-app`, or any element of
 * the host page using `@lit/context`'s `ContextProvider`) hands its API to
 * every qadmin element inside it.
 *
 * @example
 * ```ts
 * new ContextProvider(document.body, { context: apiContext, initialValue: createClient({ baseUrl: '/admin/queues' }) });
 * ```
 */
export const apiContext = createContext<QadminApi>(Symbol.for('qadmin-api'));

/**
 * Settings the server hands the page in `<meta name="qadmin-config">`: core's
 * `UiConfig` (title, read-only, mount path and branding) without `apiBase`,
 * which the elements take from their `base-url`.
 */
export type QadminConfig = Omit<UiConfig, 'apiBase'>;

/**
 * The dashboard settings, provided by `qadmin-app` from the page's
 * `qadmin-config` meta tag.
 *
 * @example
 * ```ts
 * new ContextConsumer(this, { context: configContext, callback: (config) => (this.config = config) });
 * ```
 */
export const configContext = createContext<QadminConfig>(Symbol.for('qadmin-config'));

/**
 * Reads the `<meta name="qadmin-config">` the server writes into the page
 * (never an inline script, so a strict CSP holds), with defaults.
 *
 * @example
 * ```ts
 * const { title, readOnly } = readPageConfig(document);
 * ```
 */
export function readPageConfig(doc: Document = document): QadminConfig {
  const defaults: QadminConfig = { title: 'qadmin', readOnly: false, basePath: '' };
  const content = doc.querySelector('meta[name="qadmin-config"]')?.getAttribute('content');
  if (!content) return defaults;
  try {
    return { ...defaults, ...(JSON.parse(content) as Partial<QadminConfig>) };
  } catch {
    return defaults;
  }
}
