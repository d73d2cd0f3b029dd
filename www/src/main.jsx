// main.jsx: the dashboard's entry point.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import App from './App.jsx';
import { installSharedEventSource } from './shared-event-source.js';
import './styles.css';

// Before the hooks open any stream: all tabs share one set of streams.
installSharedEventSource();

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
