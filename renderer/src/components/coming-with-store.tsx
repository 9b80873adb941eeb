/** A designed placeholder for a screen that arrives with the SQLite store. */
import type { ReactNode } from 'react';

interface Props {
  title: string;
  lede: string;
  features: string[];
  /** A faint sketch of the screen to come. */
  sketch: ReactNode;
}

export function ComingWithStore({ title, lede, features, sketch }: Props) {
  return (
    <section className="screen" aria-labelledby="screen-title">
      <div className="screen-head">
        <h1 id="screen-title">{title}</h1>
      </div>
      <div className="coming panel">
        <div className="coming-sketch" aria-hidden="true">
          {sketch}
        </div>
        <div className="coming-text">
          <span className="pill pill-accent">Arrives with the store</span>
          <p className="coming-lede">{lede}</p>
          <ul className="coming-list">
            {features.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
          <p className="muted">
            NetLanes is recording nothing to disk yet. Live figures are on Overview and Applications.
          </p>
        </div>
      </div>
    </section>
  );
}
