/**
 * The shell script every Redshift statement unit runs, at create (apply SQL) and at
 * destroy (revoke SQL). It is a constant: the request reaches it only through environment
 * variables, so nothing from the estate is ever parsed by the shell.
 *
 * Environment: RS_OPERATION (batch-execute-statement | execute-statement), RS_REGION,
 * RS_REQUEST (the request as JSON for --cli-input-json). Needs AWS CLI v2 on PATH.
 */

/** Polls every 2 s; 450 polls bound a statement at 15 minutes. */
const MAX_POLLS = 450;

export const DATA_API_RUNNER_SCRIPT = [
  'set -eu',
  'case "$RS_OPERATION" in',
  '  batch-execute-statement|execute-statement) ;;',
  '  *) echo "redshift-data: unexpected operation $RS_OPERATION" >&2; exit 2 ;;',
  'esac',
  'id=$(aws redshift-data "$RS_OPERATION" --region "$RS_REGION" --cli-input-json "$RS_REQUEST" --query Id --output text)',
  'polls=0',
  'while :; do',
  '  status=$(aws redshift-data describe-statement --region "$RS_REGION" --id "$id" --query Status --output text)',
  '  case "$status" in',
  '    FINISHED) exit 0 ;;',
  '    FAILED|ABORTED)',
  '      echo "redshift-data statement $id $status: $(aws redshift-data describe-statement --region "$RS_REGION" --id "$id" --query Error --output text)" >&2',
  '      exit 1 ;;',
  '  esac',
  '  polls=$((polls + 1))',
  `  if [ "$polls" -ge ${MAX_POLLS} ]; then echo "redshift-data statement $id still $status after ${MAX_POLLS * 2} s" >&2; exit 1; fi`,
  '  sleep 2',
  'done',
].join('\n');

/** Terraform runs the script with an explicit interpreter, never the platform default shell. */
export const DATA_API_RUNNER_INTERPRETER = ['/bin/sh', '-c'];
