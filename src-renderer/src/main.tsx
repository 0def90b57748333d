/** Renderer entry: pick the transport, then render the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { BrowserNotifications } from './components/BrowserNotifications';
import { createBridge } from './bridge';
import { AuthGate } from './pages/login/AuthGate';
import { FerryProvider } from './state/ferry-context';
import './styles/base.css';
import './styles/components.css';
import './styles/pages.css';
import './styles/auth.css';

const bridge = createBridge();
const root = document.getElementById('root');
if (!root) throw new Error('#root missing from index.html');
createRoot(root).render(
  <StrictMode>
    <FerryProvider bridge={bridge}>
      <BrowserNotifications />
      <AuthGate bridge={bridge}>
        <App />
      </AuthGate>
    </FerryProvider>
  </StrictMode>,
);
