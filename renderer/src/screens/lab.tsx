/**
 * Lab, the proof bench: faults with the driver's events streaming beside them, the link and
 * the workload, the scheduler policy, and what-if comparisons with latency CDFs.
 */
import { useState } from 'react';
import { useSession, useSnapshot } from '../hooks/use-session.ts';
import { TabPanel, Tabs } from '../components/tabs.tsx';
import { EmptyState } from '../components/empty-state.tsx';
import { EventList } from '../components/event-list.tsx';
import { FaultsPanel } from './lab/faults-panel.tsx';
import { LinkPanel } from './lab/link-panel.tsx';
import { PolicyPanel } from './lab/policy-panel.tsx';
import { WhatIfPanel } from './lab/what-if-panel.tsx';

type Tab = 'faults' | 'policy' | 'whatif';
const TABS: { id: Tab; label: string }[] = [
  { id: 'faults', label: 'Faults & link' },
  { id: 'policy', label: 'Scheduler' },
  { id: 'whatif', label: 'What-if' },
];

export function Lab() {
  const session = useSession();
  const { events } = useSnapshot();
  const [tab, setTab] = useState<Tab>('faults');
  return (
    <section className="screen" aria-labelledby="screen-title">
      <div className="screen-head">
        <h1 id="screen-title">Lab</h1>
        <span className="screen-sub">
          Break things on purpose and watch the driver cope; try rules before you apply them.
        </span>
      </div>
      {session.lab === null ? (
        <EmptyState title="No lab on this machine">
          <p>
            The lab drives the simulated card. A real card has none: faults and what-if need the simulator.
          </p>
        </EmptyState>
      ) : (
        <>
          <Tabs tabs={TABS} active={tab} onChange={setTab} label="Lab" idPrefix="lab" />
          <TabPanel idPrefix="lab" active={tab}>
            {tab === 'faults' && (
              <div className="lab-faults">
                <div className="lab-col">
                  <LinkPanel />
                  <FaultsPanel />
                </div>
                <section className="panel events-panel" aria-labelledby="events-title">
                  <div className="panel-head">
                    <h2 id="events-title">Events</h2>
                    <span className="muted">the driver's log and your actions, newest first</span>
                  </div>
                  <EventList
                    events={events}
                    empty="Nothing yet: inject a fault and the driver's reaction appears here."
                    label="Events"
                  />
                </section>
              </div>
            )}
            {tab === 'policy' && <PolicyPanel />}
            {tab === 'whatif' && <WhatIfPanel />}
          </TabPanel>
        </>
      )}
    </section>
  );
}
