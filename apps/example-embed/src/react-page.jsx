// @ts-check
/**
 * The React page (public/react.html): a React component around
 * `<qadmin-queue-list>`, with the filter and sort in React state and the
 * selected queue read from the element's `qadmin-queue-select` event.
 *
 * - Attributes and properties: React 19 sets a prop of a custom element as a
 *   property when the element has one (`filter`, `sort`), else as an attribute
 *   (`base-url`, `link-base`, `queue-id`). React 18 sets every prop as an
 *   attribute: fine for these strings, but objects (`api`, `queues`) need a ref.
 * - Events: qadmin's events are DOM `CustomEvent`s (they bubble and cross shadow
 *   roots); listen with a ref and `addEventListener`, which works in every React.
 */
import '@qadmin/ui/define';
import { routePath } from '@qadmin/ui';
import { useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';

const BASE_URL = '/admin/queues';
const LINK_BASE = '/admin/queues/';

/** Values of the element's `sort` property (`-` sorts descending). */
const SORTS = [
  ['', 'Name'],
  ['-backlog', 'Most waiting'],
  ['-failed', 'Most failed'],
  ['-failure-rate', 'Highest failure rate'],
  ['-throughput', 'Busiest in the last hour'],
];

function QueuePicker() {
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState('');
  const [selected, setSelected] = useState(/** @type {string | null} */ (null));
  /** @type {import('react').RefObject<import('@qadmin/ui').QadminQueueList | null>} */
  const list = useRef(null);

  useEffect(() => {
    const element = list.current;
    if (!element) return;
    /** @param {CustomEvent<{ queueId: string }>} event */
    const onSelect = (event) => {
      // By default the row's link opens the queue in the full dashboard; stay here instead.
      event.preventDefault();
      setSelected(event.detail.queueId);
    };
    /** @param {CustomEvent<{ sort: string }>} event */
    const onSort = (event) => setSort(event.detail.sort); // a column header was clicked
    element.addEventListener('qadmin-queue-select', onSelect);
    element.addEventListener('qadmin-queue-list-sort', onSort);
    return () => {
      element.removeEventListener('qadmin-queue-select', onSelect);
      element.removeEventListener('qadmin-queue-list-sort', onSort);
    };
  }, []);

  return (
    <>
      <section className="card" aria-labelledby="picker-title">
        <header>
          <h2 id="picker-title">Pick a queue</h2>
          <a href={LINK_BASE}>Open the queue dashboard →</a>
        </header>
        <div>
          <label className="field">
            Filter
            <input
              type="search"
              value={filter}
              placeholder="emails, webhooks…"
              onChange={(event) => setFilter(event.target.value)}
            />
          </label>
          <label className="field">
            Sort
            <select value={sort} onChange={(event) => setSort(event.target.value)}>
              {SORTS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <qadmin-queue-list
          ref={list}
          base-url={BASE_URL}
          link-base={LINK_BASE}
          filter={filter}
          sort={sort}
        />
        <p className="selected" role="status">
          selected: {selected ? <code>{selected}</code> : 'none'}
        </p>
      </section>
      {selected && (
        <section className="card" aria-labelledby="workers-title">
          <header>
            <h2 id="workers-title">Workers of {selected}</h2>
            <a
              href={
                new URL(
                  routePath({ view: 'queue', queueId: selected }),
                  new URL(LINK_BASE, location.href),
                ).href
              }
            >
              Open {selected} in the dashboard →
            </a>
          </header>
          <qadmin-workers base-url={BASE_URL} link-base={LINK_BASE} queue-id={selected} />
        </section>
      )}
    </>
  );
}

const root = document.getElementById('root');
if (root) createRoot(root).render(<QueuePicker />);
