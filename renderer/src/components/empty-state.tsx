/** A designed empty, loading or error state: what is happening and what to do. */
import type { ReactNode } from 'react';

interface Props {
  title: string;
  children?: ReactNode;
  icon?: ReactNode;
  tone?: 'neutral' | 'busy' | 'error';
  action?: ReactNode;
}

export function EmptyState({ title, children, icon, tone = 'neutral', action }: Props) {
  return (
    <div className={`empty-state tone-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {tone === 'busy' ? <span className="spinner" aria-hidden="true" /> : icon}
      <p className="empty-title">{title}</p>
      {children && <div className="empty-body">{children}</div>}
      {action}
    </div>
  );
}
