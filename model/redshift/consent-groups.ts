import type { DestroyConsent } from '../../functions/redshift-runner/contract';
import { RedshiftDestroyConsent, RedshiftUnit } from './plan';

/**
 * Groups a tier's units by the consent their revoke needs: units that create a database,
 * user or role need `immuta.allowDestroy`, or `informatica.connectorUser.allowDestroy`
 * for the connector user. Each group becomes a block of its own, so that prevent_destroy
 * guards exactly them. Returns [block name suffix, group], unguarded units first.
 */
export function consentGroups(units: readonly RedshiftUnit[], consent: RedshiftDestroyConsent): [string, { units: RedshiftUnit[]; consent?: DestroyConsent }][] {
  const groups = new Map<string, { units: RedshiftUnit[]; consent?: DestroyConsent }>();
  for (const u of units) {
    const creates = u.apply.filter((s) => s.kind === 'createDatabase' || s.kind === 'createUser' || s.kind === 'createRole');
    let suffix = '';
    let c: DestroyConsent | undefined;
    if (creates.some((s) => s.kind === 'createUser' && s.user === consent.connectorUser?.name)) {
      suffix = '_connector_user';
      c = { field: 'informatica.connectorUser.allowDestroy', allowDestroy: consent.connectorUser!.allowDestroy };
    } else if (creates.length) {
      suffix = '_immuta';
      c = { field: 'immuta.allowDestroy', allowDestroy: consent.immuta };
    }
    if (!groups.has(suffix)) groups.set(suffix, { units: [], ...(c ? { consent: c } : {}) });
    groups.get(suffix)!.units.push(u);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
