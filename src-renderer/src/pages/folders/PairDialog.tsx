/** Add or edit a folder pair: local folder, sync mode, server, credentials, test connection, save/start. */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { CircleCheck, Plug } from 'lucide-react';
import type { ConnectionTestResult } from '../../../../src-shared/ipc/contract';
import type { FolderPair } from '../../../../src-shared/model';
import { Dialog } from '../../components/Dialog';
import { ErrorNote } from '../../components/ErrorNote';
import { FieldError, describedBy } from '../../components/FieldError';
import { FolderField } from '../../components/FolderField';
import { TextField } from '../../components/TextField';
import { useApi } from '../../state/ferry-context';
import { useAction } from '../../state/use-action';
import { InvitePaste } from './InvitePaste';
import { ModeChoice } from './ModeChoice';
import { fieldOfSaveError, formFieldProblem, initialValues, targetFieldProblem, toInput, toTarget, type FieldProblem, type PairFormValues } from './pair-form-model';

interface PairDialogProps {
  /** The pair being edited; undefined to add a new one. */
  pair?: FolderPair;
  open: boolean;
  onClose: () => void;
}

/** Modal form; remounted per open so it starts from fresh values. */
export function PairDialog({ pair, open, onClose }: PairDialogProps): ReactNode {
  return (
    <Dialog title={pair ? 'Edit folder' : 'Add folder'} open={open} onClose={onClose} wide>
      {open && <PairForm pair={pair} onDone={onClose} />}
    </Dialog>
  );
}

function PairForm({ pair, onDone }: { pair: FolderPair | undefined; onDone: () => void }): ReactNode {
  const api = useApi();
  const [v, setV] = useState<PairFormValues>(() => initialValues(pair));
  const [test, setTest] = useState<ConnectionTestResult | null>(null);
  const [problem, setProblem] = useState<FieldProblem | null>(null);
  const ignoreId = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const advancedRef = useRef<HTMLDetailsElement>(null);
  const testResultRef = useRef<HTMLDivElement>(null);
  const set = <K extends keyof PairFormValues>(key: K) => (value: PairFormValues[K]) => {
    setV((old) => ({ ...old, [key]: value }));
    setTest(null);
    setProblem((old) => (old?.field === key ? null : old));
  };

  const testAction = useAction(() => api.invoke('pair:test', toTarget(v)));
  const saveAction = useAction(async (start: boolean) => {
    if (pair) {
      await api.invoke('pair:update', pair.id, toInput(v, pair.paused));
      return true;
    }
    // A new pair is added paused and started explicitly, so "Save" never syncs by surprise.
    const added = await api.invoke('pair:add', toInput(v, true));
    if (start) await api.invoke('pair:resume', added.id);
    return true;
  });

  // Each error shows under its own field; a save error about no field shows next to the buttons.
  const saveField = saveAction.error ? fieldOfSaveError(saveAction.error, v) : null;
  const errorOf = (field: keyof PairFormValues): string | null =>
    problem?.field === field ? problem.message : saveField === field ? saveAction.error!.message : null;
  useEffect(() => {
    // Bring the first field in error into view (it may sit in the closed Advanced part or scrolled away).
    if (!problem && !saveField) return;
    const field = problem?.field ?? saveField;
    if ((field === 'rescanMinutes' || field === 'ignore') && advancedRef.current) advancedRef.current.open = true;
    const invalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    invalid?.scrollIntoView({ block: 'center' });
    invalid?.focus({ preventScroll: true });
  }, [problem, saveField, saveAction.error]);

  useEffect(() => {
    // A test result lands below the button, often below the scrolled area's edge: bring it into view.
    if (test || testAction.error) testResultRef.current?.scrollIntoView({ block: 'nearest' });
  }, [test, testAction.error]);

  const runTest = async (): Promise<void> => {
    const p = targetFieldProblem(v);
    setProblem(p);
    if (p) return;
    const result = await testAction.run();
    if (result) setTest(result);
  };
  const save = async (start: boolean): Promise<void> => {
    const p = formFieldProblem(v);
    setProblem(p);
    if (p) return;
    // run() resolves undefined on failure (the error shows inline): close only on success.
    if (await saveAction.run(start)) onDone();
  };

  return (
    <form
      ref={formRef}
      className="form dialog-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save(!pair);
      }}
    >
      <div className="dialog-form-fields">
        <FolderField label="Local folder" value={v.localPath} onChange={set('localPath')} hint="Everything inside it syncs with the share on the server." required autoFocus error={errorOf('localPath')} />
        <ModeChoice mode={v.mode} allowForeignChanges={v.allowForeignChanges} onMode={set('mode')} onAllowForeignChanges={set('allowForeignChanges')} />
        <InvitePaste values={v} onFill={(next) => { setV(next); setTest(null); }} onTested={setTest} />
        <fieldset className="fieldset">
          <legend>Server</legend>
          <div className="grid-3">
            <TextField label="Server host" value={v.host} onChange={(e) => set('host')(e.target.value)} placeholder="nas.local" autoComplete="off" spellCheck={false} className="span-2" error={errorOf('host')} />
            <TextField label="Port" value={v.port} onChange={(e) => set('port')(e.target.value)} inputMode="numeric" error={errorOf('port')} />
          </div>
          <TextField label="Share" value={v.share} onChange={(e) => set('share')(e.target.value)} spellCheck={false} error={errorOf('share')} />
          <TextField label="Fingerprint" value={v.fingerprint} onChange={(e) => set('fingerprint')(e.target.value)} className="mono-input" spellCheck={false} autoComplete="off" hint="Shown by the server (Server page, or “ferry serve”). It proves you reach your server and nobody in between." error={errorOf('fingerprint')} />
          <TextField label="Token" type="password" value={v.token} onChange={(e) => set('token')(e.target.value)} autoComplete="off" error={errorOf('token')} />
        </fieldset>
        <details className="advanced" ref={advancedRef}>
          <summary>Advanced</summary>
          <div className="field">
            <label htmlFor={ignoreId}>Ignore patterns</label>
            <textarea id={ignoreId} className="mono" rows={3} value={v.ignore} onChange={(e) => set('ignore')(e.target.value)} placeholder={'*.tmp\nnode_modules/'} {...describedBy(ignoreId, 'hint', errorOf('ignore'))} />
            <p className="hint" id={`${ignoreId}-hint`}>One gitignore-style pattern per line, on top of the folder’s .ferryignore.</p>
            <FieldError id={ignoreId} error={errorOf('ignore')} />
          </div>
          <TextField label="Full rescan every (minutes)" value={v.rescanMinutes} onChange={(e) => set('rescanMinutes')(e.target.value)} inputMode="numeric" hint="0 turns periodic rescans off." error={errorOf('rescanMinutes')} />
          <label className="check">
            <input type="checkbox" checked={v.allowEmptyRoot} onChange={(e) => set('allowEmptyRoot')(e.target.checked)} />
            Allow an empty local folder to empty the share
          </label>
        </details>

        <div className="test-row" ref={testResultRef}>
          <button type="button" className="button" disabled={testAction.busy} onClick={() => void runTest()}>
            <Plug size={16} aria-hidden="true" /> {testAction.busy ? 'Testing…' : 'Test connection'}
          </button>
          <div className="test-result" aria-live="polite">
            {test?.ok === true && (
              <div className="note note-ok" role="status">
                <CircleCheck size={16} aria-hidden="true" />
                <span>Connected to <strong>{test.serverName}</strong>, share “{test.share}” in {Math.round(test.latencyMs)} ms.</span>
              </div>
            )}
            {test?.ok === false && <ErrorNote error={test.error} title="Connection failed:" />}
            <ErrorNote error={testAction.error} title="Could not test:" />
          </div>
        </div>
      </div>

      {/* Outside the scrolling fields: the buttons, and a save error that belongs to no field, are always in view. */}
      <footer className="form-footer">
        {!saveField && <ErrorNote error={saveAction.error} title="Could not save:" />}
        <div className="form-footer-buttons">
          <button type="button" className="button" onClick={onDone}>Cancel</button>
          {pair ? (
            <button type="submit" className="button primary" disabled={saveAction.busy}>Save</button>
          ) : (
            <>
              <button type="button" className="button" disabled={saveAction.busy} onClick={() => void save(false)}>Save</button>
              <button type="submit" className="button primary" disabled={saveAction.busy}>Start</button>
            </>
          )}
        </div>
      </footer>
    </form>
  );
}
