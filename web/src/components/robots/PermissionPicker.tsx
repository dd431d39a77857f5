import { Checkbox, Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { permissionKey, robotActions, robotPermissions } from './robot-permissions';

/**
 * Resources × actions with a checkbox each, "select all" over everything, and a row's own
 * "all". What the signed-in user does not hold is disabled: a creator grants only what it has.
 */
export function PermissionPicker({ value = [], onChange, holds }: { value?: string[]; onChange?(v: string[]): void; holds(resource: string, action: string): boolean }) {
  const { t } = useTranslation(['robots', 'common']);
  const chosen = new Set(value);
  const grantable = robotPermissions.flatMap(([r, actions]) => actions.filter((a) => holds(r, a)).map((a) => permissionKey(r, a)));
  const set = (keys: string[], on: boolean) => {
    const next = new Set(chosen);
    for (const k of keys) on ? next.add(k) : next.delete(k);
    onChange?.(grantable.filter((k) => next.has(k)));
  };
  const allChosen = grantable.length > 0 && grantable.every((k) => chosen.has(k));
  return (
    <div>
      <Checkbox checked={allChosen} indeterminate={!allChosen && chosen.size > 0} onChange={(e) => set(grantable, e.target.checked)} style={{ marginBottom: 8 }}>
        {t('selectAll')}
      </Checkbox>
      <Table
        size="small"
        pagination={false}
        rowKey={(row) => row[0]}
        dataSource={robotPermissions.map((p) => [...p] as [string, readonly string[]])}
        scroll={{ y: 300 }}
        columns={[
          {
            title: t('resource'),
            render: (_: unknown, [resource, actions]) => {
              const keys = actions.filter((a) => holds(resource, a)).map((a) => permissionKey(resource, a));
              const all = keys.length > 0 && keys.every((k) => chosen.has(k));
              return (
                <Checkbox checked={all} disabled={keys.length === 0} onChange={(e) => set(keys, e.target.checked)}>
                  {t(`res.${resource}`)}
                </Checkbox>
              );
            },
          },
          ...robotActions.map((action) => ({
            title: t(`act.${action}`),
            width: 76,
            render: (_: unknown, [resource, actions]: [string, readonly string[]]) =>
              actions.includes(action) && (
                <Checkbox
                  checked={chosen.has(permissionKey(resource, action))}
                  disabled={!holds(resource, action)}
                  onChange={(e) => set([permissionKey(resource, action)], e.target.checked)}
                  aria-label={t('grant', { resource: t(`res.${resource}`), action: t(`act.${action}`) })}
                />
              ),
          })),
        ]}
      />
    </div>
  );
}
