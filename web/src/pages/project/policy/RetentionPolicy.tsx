import { PlayCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { useConfirmAction } from '../../../components/confirm-action';
import { EmptyText } from '../../../components/EmptyText';
import { ErrorAlert, errorText } from '../../../components/ErrorAlert';
import { useProject } from '../project-context';
import { RuleSelector } from './ImmutableRules';
import { RetentionExecutions } from './RetentionExecutions';
import { type RetentionTemplate, RetentionRuleModal } from './RetentionRuleModal';
import { type Rule, untagged } from './selectors';

interface Policy {
  id: number;
  algorithm: string;
  rules: Rule[];
  trigger: { kind: string; settings: { cron?: string }; references?: Record<string, unknown> };
  scope: { level: string; ref: number };
}

/** Harbor's schedule presets (six-field cron, seconds first). */
const presets: Record<string, string> = { none: '', hourly: '0 0 * * * *', daily: '0 0 0 * * *', weekly: '0 0 0 * * 0' };
const presetOf = (cron: string) => Object.entries(presets).find(([, c]) => c === cron)?.[0] ?? 'custom';

function Schedule({ cron, editable, onSave }: { cron: string; editable: boolean; onSave(cron: string): Promise<void> }) {
  const { t } = useTranslation(['policy', 'common']);
  const [preset, setPreset] = useState(presetOf(cron));
  const [custom, setCustom] = useState(cron);
  const next = preset === 'custom' ? custom.trim() : (presets[preset] ?? '');
  return (
    <Space wrap>
      <span>{t('retention.schedule')}</span>
      <Select
        aria-label={t('retention.schedule')}
        value={preset}
        disabled={!editable}
        onChange={setPreset}
        style={{ width: 160 }}
        options={[...Object.keys(presets), 'custom'].map((k) => ({ value: k, label: t(`retention.sched.${k}`) }))}
      />
      {preset === 'custom' && <Input aria-label={t('retention.cron')} placeholder={t('retention.cronHelp')} value={custom} onChange={(e) => setCustom(e.target.value)} disabled={!editable} style={{ width: 200 }} />}
      {editable && next !== cron && (
        <Button size="small" type="primary" onClick={() => void onSave(next)}>
          {t('common:action.save')}
        </Button>
      )}
    </Space>
  );
}

export function RetentionPolicy() {
  const { t } = useTranslation(['policy', 'common']);
  const { project, can } = useProject();
  const { message } = App.useApp();
  const confirm = useConfirmAction();
  const client = useQueryClient();
  const [editing, setEditing] = useState<Rule | 'new' | null>(null);
  const [busy, setBusy] = useState(false);
  // The project's metadata names its policy (Harbor's retention_id); read it fresh.
  const meta = useQuery({ queryKey: ['project', project.project_id, 'retention_id'], queryFn: async () => (await api.get<{ metadata?: Record<string, string> }>(`/projects/${project.project_id}`)).metadata?.retention_id });
  const policyId = meta.data ? Number(meta.data) : undefined;
  const policy = useQuery({ queryKey: ['retention', 'policy', policyId], queryFn: () => api.get<Policy>(`/retentions/${policyId}`), enabled: policyId !== undefined });
  const metadata = useQuery({ queryKey: ['retention', 'metadatas'], queryFn: () => api.get<{ templates: RetentionTemplate[] }>('/retentions/metadatas'), staleTime: Infinity });
  const templates = metadata.data?.templates ?? [];
  const mayEdit = can('tag-retention', 'update') && can('tag-retention', 'create');
  const mayRun = can('tag-retention', 'operate');

  /** Saves the whole policy (Harbor's API takes rules and schedule together); creates it first time. */
  const save = async (rules: Rule[], cron: string): Promise<boolean> => {
    setBusy(true);
    try {
      const body = { algorithm: 'or', rules, trigger: { kind: 'Schedule', settings: { cron }, references: policy.data?.trigger.references ?? {} }, scope: { level: 'project', ref: project.project_id } };
      if (policyId === undefined) await api.post('/retentions', body);
      else await api.put(`/retentions/${policyId}`, { id: policyId, ...body });
      await client.invalidateQueries({ queryKey: ['project', project.project_id] });
      await client.invalidateQueries({ queryKey: ['retention', 'policy'] });
      void message.success(t('retention.saved'));
      return true;
    } catch (err) {
      void message.error(errorText(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const rules = policy.data?.rules ?? [];
  const cron = policy.data?.trigger.settings.cron ?? '';
  const saveRule = async (r: Rule) => {
    const next = editing === 'new' ? [...rules, r] : rules.map((x) => (x === editing ? r : x));
    if (await save(next, cron)) setEditing(null);
  };
  const run = async (dryRun: boolean) => {
    if (policyId === undefined) return;
    try {
      await api.post(`/retentions/${policyId}/executions`, { dry_run: dryRun });
      void message.success(t(dryRun ? 'retention.dryRunStarted' : 'retention.runStarted'));
      await client.invalidateQueries({ queryKey: ['retention', 'executions', policyId] });
    } catch (err) {
      void message.error(errorText(err));
    }
  };
  // run and save say how it went themselves: the dry run and the other rule buttons use them too.
  const confirmRun = () => confirm({ title: t('retention.runConfirm'), content: t('retention.runHelp'), okText: t('retention.runNow'), action: () => run(false) });
  const describe = (r: Rule) => {
    const p = r.params?.[r.template];
    return t(`retention.tpl.${r.template}`, { n: p ?? '', defaultValue: r.template });
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <span>{t('retention.help')}</span>
      <ErrorAlert error={meta.error ?? policy.error ?? metadata.error} />
      <Table<Rule>
        rowKey={(r) => rules.indexOf(r)}
        loading={meta.isPending || (policyId !== undefined && policy.isPending)}
        dataSource={rules}
        pagination={false}
        aria-label={t('retention.rules')}
        locale={{ emptyText: <EmptyText text={t('retention.empty')} /> }}
        columns={[
          { title: t('sel.repositories'), render: (_: unknown, r) => <RuleSelector kind="repo" rule={r} /> },
          {
            title: t('sel.tags'),
            render: (_: unknown, r) => (
              <Space size={4}>
                <RuleSelector kind="tag" rule={r} />
                {untagged(r.tag_selectors[0]) && <Tag>{t('retention.withUntagged')}</Tag>}
              </Space>
            ),
          },
          { title: t('retention.retain'), render: (_: unknown, r) => describe(r) },
          { title: t('col.status'), render: (_: unknown, r) => (r.disabled ? <Tag>{t('disabled')}</Tag> : <Tag color="success">{t('enabled')}</Tag>) },
          {
            title: t('common:table.actions'),
            render: (_: unknown, r) =>
              mayEdit && (
                <Space>
                  <Button size="small" onClick={() => setEditing(r)}>
                    {t('common:action.edit')}
                  </Button>
                  <Button size="small" onClick={() => void save(rules.map((x) => (x === r ? { ...x, disabled: !x.disabled } : x)), cron)}>
                    {r.disabled ? t('enable') : t('disable')}
                  </Button>
                  <Button
                    size="small"
                    danger
                    onClick={() =>
                      confirm({
                        title: t('retention.deleteConfirm'),
                        okText: t('common:action.delete'),
                        action: () => save(rules.filter((x) => x !== r), cron),
                      })
                    }
                  >
                    {t('common:action.delete')}
                  </Button>
                </Space>
              ),
          },
        ]}
      />
      <Space wrap>
        {mayEdit && rules.length < 15 && (
          <Button icon={<PlusOutlined />} onClick={() => setEditing('new')} disabled={templates.length === 0}>
            {t('retention.addRule')}
          </Button>
        )}
        {mayRun && policyId !== undefined && rules.length > 0 && (
          <>
            <Button onClick={() => void run(true)}>{t('retention.dryRun')}</Button>
            <Button icon={<PlayCircleOutlined />} onClick={confirmRun}>
              {t('retention.runNow')}
            </Button>
          </>
        )}
      </Space>
      {policy.data && <Schedule key={cron} cron={cron} editable={mayEdit} onSave={async (c) => void (await save(rules, c))} />}
      {policyId !== undefined && (
        <Card size="small" title={<Typography.Text strong>{t('retention.history')}</Typography.Text>}>
          <RetentionExecutions policyId={policyId} canOperate={mayRun} />
        </Card>
      )}
      {editing !== null && (
        <RetentionRuleModal key={editing === 'new' ? 'new' : editing ? rules.indexOf(editing) : 'none'} open={editing !== null} rule={editing === 'new' ? undefined : (editing ?? undefined)} templates={templates} busy={busy} onSave={(r) => void saveRule(r)} onClose={() => setEditing(null)} />
      )}
    </Space>
  );
}
