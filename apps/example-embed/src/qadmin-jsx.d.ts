/**
 * Types of the qadmin elements in JSX (TypeScript knows only HTML's own tags):
 * the attributes and properties src/react-page.jsx sets.
 */
import type { QadminQueueList, QadminWorkers } from '@qadmin/ui';
import type { DetailedHTMLProps, HTMLAttributes } from 'react';

type QadminProps<T> = DetailedHTMLProps<HTMLAttributes<T>, T> & {
  /** Where the dashboard's API is mounted. */
  'base-url'?: string;
  /** Where links point (the full dashboard). */
  'link-base'?: string;
};

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'qadmin-queue-list': QadminProps<QadminQueueList> & { filter?: string; sort?: string };
      'qadmin-workers': QadminProps<QadminWorkers> & { 'queue-id'?: string };
    }
  }
}
