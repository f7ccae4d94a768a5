/**
 * Registers `element` as `tag` unless the tag is taken; warns when it is
 * taken by something else (another copy of qadmin on the page), never throws.
 *
 * @example
 * ```ts
 * defineElement('qadmin-overview', QadminOverview);
 * ```
 */
export function defineElement(tag: string, element: CustomElementConstructor): void {
  const existing = customElements.get(tag);
  if (existing === element) return;
  if (existing) {
    console.warn(`[qadmin] <${tag}> is already defined by another script; keeping that one.`);
    return;
  }
  customElements.define(tag, element);
}
