import { useState, type ReactElement } from 'react';
import { Link } from 'react-router-dom';
import { useImportComponent } from '../api/hooks';
import { Dialog } from '../components/Dialog';
import { ErrorMessage } from '../components/ErrorMessage';

const EXAMPLE = `name: Say hello
description: Prints a greeting.
inputs:
- {name: who, type: String, default: world}
implementation:
  container:
    image: python:3.12-slim
    command: [python3, -c, 'import sys; print("hello", sys.argv[1])', {inputValue: who}]
`;

/** Import a Kubeflow v1 component file: paste its YAML or choose the file. */
export function ImportDialog({ onClose }: { onClose: () => void }): ReactElement {
  const [yaml, setYaml] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const mutation = useImportComponent();
  const result = mutation.data;

  const submit = (): void => {
    if (file) mutation.mutate({ file });
    else mutation.mutate({ yaml });
  };

  return (
    <Dialog
      title="Import a component"
      onClose={onClose}
      testId="import-dialog"
      wide
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            {result ? 'Close' : 'Cancel'}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            onClick={submit}
            disabled={mutation.isPending || (!file && !yaml.trim())}
            data-testid="import-submit"
          >
            {mutation.isPending ? 'Importing…' : 'Import'}
          </button>
        </>
      }
    >
      <p className="muted small">A Kubeflow Pipelines v1 <code>component.yaml</code>. Importing the same spec twice keeps one version.</p>
      <label className="field">
        <span className="field-name">Choose a file</span>
        <input
          type="file"
          accept=".yaml,.yml,.json,text/yaml"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          data-testid="import-file"
        />
      </label>
      <label className="field">
        <span className="field-name">…or paste the YAML</span>
        <textarea
          className="mono"
          rows={12}
          value={yaml}
          onChange={(e) => setYaml(e.target.value)}
          placeholder={EXAMPLE}
          disabled={!!file}
          spellCheck={false}
          data-testid="import-yaml"
        />
      </label>
      <ErrorMessage error={mutation.error} title="The component was not imported" />
      {result ? (
        <div className="success-box" role="status" data-testid="import-result">
          {result.created ? 'Imported' : 'Already in the catalog:'} <strong>{result.version.name}</strong> version {result.version.version}.{' '}
          <Link to={`/catalog/${result.version.component}`} onClick={onClose}>
            Open it
          </Link>
        </div>
      ) : null}
    </Dialog>
  );
}
