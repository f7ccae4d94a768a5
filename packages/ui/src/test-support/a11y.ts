import axe from 'axe-core';
import { expect } from 'vitest';

/**
 * Runs axe-core (WCAG 2 A/AA rules, shadow DOM included) on `element` and
 * fails with the list of violations.
 */
export async function expectAccessible(element: Element): Promise<void> {
  const result = await axe.run(element, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'],
  });
  const violations = result.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`,
  );
  expect(violations, violations.join('\n')).toEqual([]);
}
