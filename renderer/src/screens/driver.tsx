/**
 * Driver (for driver developers, IORegistryExplorer-dense): the registry tree and the
 * selected object's properties on the left; on the right the driver's structs, its rings
 * and pool, the open mappings as live hex, this window's call log, and the bring-up
 * diagnostics whose findings link to their objects.
 */
import { useState } from 'react';
import { usePoll } from '../hooks/use-poll.ts';
import { useSession, useSnapshot } from '../hooks/use-session.ts';
import { findNode, flatten, registrySchema } from '../session/registry.ts';
import { RegistryTree } from '../components/registry-tree.tsx';
import { TabPanel, Tabs } from '../components/tabs.tsx';
import { RegistersTab } from './driver/registers-tab.tsx';
import { RingsTab } from './driver/rings-tab.tsx';
import { MappingsTab } from './driver/mappings-tab.tsx';
import { CallLogTab } from './driver/call-log-tab.tsx';
import { DiagnosticsTab } from './driver/diagnostics-tab.tsx';

type Tab = 'registers' | 'rings' | 'mappings' | 'calls' | 'diagnose';
const TABS: { id: Tab; label: string }[] = [
  { id: 'registers', label: 'Registers' },
  { id: 'rings', label: 'Rings & pool' },
  { id: 'mappings', label: 'Mappings' },
  { id: 'calls', label: 'Call log' },
  { id: 'diagnose', label: 'Diagnostics' },
];

export function Driver() {
  const session = useSession();
  const { boot } = useSnapshot();
  const [tab, setTab] = useState<Tab>('registers');
  const [selected, setSelected] = useState<number | null>(null);
  const [highlight, setHighlight] = useState<string | null>(null);
  const registry = usePoll(async () => registrySchema.parse(await session.iokit!.registry()), 3000, [boot]);
  const roots = registry.data ?? [];
  const node =
    flatten(roots, null).find((f) => f.node.id === selected)?.node ?? findNode(roots, 'NetLanesDriver');

  const showObject = (object: string) => {
    if (/^(Tx|Rx)Ring\[\d+\]$/.test(object) || /pool/i.test(object)) {
      setHighlight(object);
      setTab('rings');
      return;
    }
    const n = findNode(roots, object);
    if (n) setSelected(n.id);
    document.getElementById(`reg-props`)?.focus();
  };

  return (
    <section className="screen screen-wide" aria-labelledby="screen-title">
      <div className="screen-head">
        <h1 id="screen-title">Driver</h1>
        <span className="screen-sub">
          For driver developers: registry, registers, rings, mappings, and why packets do not flow.
        </span>
      </div>
      <div className="driver-layout">
        <aside className="panel registry-panel" aria-label="I/O Registry">
          <h2 className="panel-title">I/O Registry</h2>
          {registry.error && <p className="bad-text">{registry.error}</p>}
          <RegistryTree roots={roots} selected={node?.id ?? null} onSelect={setSelected} />
          {node && (
            <div className="reg-props" id="reg-props" tabIndex={-1} aria-label={`Properties of ${node.name}`}>
              <h3>{node.name}</h3>
              <dl className="kv">
                <dt>Class</dt>
                <dd className="mono">{node.classes.join(' : ')}</dd>
                <dt>State</dt>
                <dd>{node.state}</dd>
                <dt>Registry id</dt>
                <dd className="mono">0x{node.id.toString(16)}</dd>
                <dt>Clients</dt>
                <dd>{node.children.length}</dd>
                {Object.entries(node.properties).map(([k, v]) => (
                  <div key={k} className="kv-row">
                    <dt className="mono">{k}</dt>
                    <dd className="mono">{String(v)}</dd>
                  </div>
                ))}
              </dl>
            </div>
          )}
        </aside>
        <div className="panel driver-main">
          <Tabs tabs={TABS} active={tab} onChange={setTab} label="Driver views" idPrefix="driver" />
          <TabPanel idPrefix="driver" active={tab}>
            {tab === 'registers' && <RegistersTab />}
            {tab === 'rings' && <RingsTab highlight={highlight} />}
            {tab === 'mappings' && <MappingsTab />}
            {tab === 'calls' && <CallLogTab />}
            {tab === 'diagnose' && <DiagnosticsTab onObject={showObject} />}
          </TabPanel>
        </div>
      </div>
    </section>
  );
}
