// TokenPrompt.jsx: asks for a token when the page was opened without #token=….
import { useState } from 'react';

export default function TokenPrompt({ onToken }) {
  const [value, setValue] = useState('');
  return (
    <div className="token-prompt">
      <form className="card" onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) onToken(value.trim());
      }}>
        <h1><span className="logo" aria-hidden="true">◆</span> backstream</h1>
        <p>Paste a token (a Firebase ID token, or one from
          <code> backstream token --uid USER</code>). It is kept in this tab only.</p>
        <textarea rows={5} value={value} placeholder="eyJhbGciOiJSUzI1NiIs…"
          onChange={(e) => setValue(e.target.value)} aria-label="token" />
        <button type="submit" className="primary" disabled={!value.trim()}>Open the dashboard</button>
      </form>
    </div>
  );
}
