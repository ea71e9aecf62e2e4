import { useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import { showTime } from '../format';
import { Field, Json, Loading, Page, useLoad } from '../ui';

export function GenesysPage() {
  const status = useLoad(() => ok(api.GET('/admin/v1/genesys/status')), []);
  const [operation, setOperation] = useState('');
  const calls = useLoad(() => ok(api.GET('/admin/v1/genesys/simulated-calls', { params: { query: { limit: 50, ...(operation !== '' && { operation }) } } })), [operation]);
  const s = status.data;
  return (
    <Page title="Genesys">
      <section class="card" aria-labelledby="gw-title">
        <h2 id="gw-title">Gateway</h2>
        <Loading what={status} />
        {s && (
          <p>
            {s.gateway === 'sdk' ? (
              <>
                <strong>Genesys Cloud Platform API</strong> (credentials configured).
              </>
            ) : (
              <>
                <strong>Simulated</strong>: no Genesys credentials are configured; calls are recorded below instead of being sent.
              </>
            )}
          </p>
        )}
        <h3>Last delivery errors</h3>
        {s && s.lastErrors.length === 0 && <p>None.</p>}
        {s && s.lastErrors.length > 0 && (
          <div class="table-wrap">
            <table class="grid">
              <caption class="sr-only">Latest delivery errors</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Queue</th>
                  <th scope="col">Callback</th>
                  <th scope="col">Delivery</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {s.lastErrors.map((e) => (
                  <tr key={e.callbackId}>
                    <td>{showTime(e.at)}</td>
                    <td>{e.queueName}</td>
                    <td class="mono small">{e.callbackId}</td>
                    <td>
                      {e.deliveryStatus} ({e.deliveryAttempts})
                    </td>
                    <td>{e.error}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section class="card" aria-labelledby="sim-title">
        <h2 id="sim-title">Simulated calls</h2>
        <Field label="Operation" name="operation" error={calls.error} hint="e.g. createCallback; empty for all">
          {(p) => (
            <input {...p} value={operation} onChange={(e) => setOperation((e.target as HTMLInputElement).value)} />
          )}
        </Field>
        <Loading what={calls} />
        <ol class="calls">
          {(calls.data?.items ?? []).map((c) => (
            <li key={c.id}>
              <details>
                <summary>
                  {showTime(c.at)} · <strong>{c.operation}</strong>
                </summary>
                <Json value={{ request: c.request, response: c.response }} />
              </details>
            </li>
          ))}
          {(calls.data?.items ?? []).length === 0 && <li class="empty">No simulated call.</li>}
        </ol>
      </section>
    </Page>
  );
}
