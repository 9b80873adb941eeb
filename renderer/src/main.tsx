import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { SessionContext } from './hooks/use-session.ts';
import { Session } from './session/session.ts';
import 'uplot/dist/uPlot.min.css';
import './styles/tokens.css';
import './styles/base.css';
import './styles/shell.css';
import './styles/controls.css';
import './styles/tables.css';
import './styles/screens.css';
import './styles/applications.css';
import './styles/driver.css';
import './styles/lab.css';
import './styles/store.css';
import { applyTheme, savedTheme } from './theme.ts';

applyTheme(savedTheme());

/** One session per page, outside React (StrictMode's double effects must not connect twice). */
const session = new Session();
void session.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionContext.Provider value={session}>
      <App />
    </SessionContext.Provider>
  </StrictMode>,
);
