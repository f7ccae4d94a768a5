import { type AttributePart, noChange } from 'lit';
import { Directive, directive, type PartInfo, PartType } from 'lit/directive.js';

/** Style properties for {@link styleProps}: CSS property names (custom ones included) to values. */
export type StyleProps = Readonly<Record<string, string | undefined>>;

/**
 * Sets inline style properties through the CSSOM (`style.setProperty`), on
 * every render including the first. Lit's `styleMap` writes the `style`
 * attribute on first render, which a page's `Content-Security-Policy:
 * style-src 'self'` (no `'unsafe-inline'`) blocks; this never writes the
 * attribute, so the elements keep their layout under a strict policy.
 * Use it only in a `style=${...}` binding with no static text.
 */
class StylePropsDirective extends Directive {
  #previous = new Set<string>();

  constructor(partInfo: PartInfo) {
    super(partInfo);
    if (
      partInfo.type !== PartType.ATTRIBUTE ||
      partInfo.name !== 'style' ||
      (partInfo.strings?.length ?? 0) > 2
    ) {
      throw new Error('styleProps() must be the whole value of a style attribute binding');
    }
  }

  render(_props: StyleProps): typeof noChange {
    return noChange;
  }

  override update(part: AttributePart, [props]: [StyleProps]): typeof noChange {
    const { style } = part.element as HTMLElement;
    for (const name of this.#previous) {
      if (props[name] === undefined) style.removeProperty(name);
    }
    this.#previous.clear();
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined) continue;
      style.setProperty(name, value);
      this.#previous.add(name);
    }
    return noChange;
  }
}

/** CSP-safe inline style properties: see {@link StylePropsDirective}. */
export const styleProps = directive(StylePropsDirective);
