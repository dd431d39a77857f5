import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Input, Select, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { usePreferences } from '../../../app/preferences';
import { ErrorAlert, errorText } from '../../../components/ErrorAlert';
import { formatTime } from '../../../components/format';
import { type ExecHistory, jobParameters } from '../types';

/** Harbor's schedule presets, in its six-field cron (seconds first). */
export const presetCron: { [type: string]: string } = { Hourly: '0 0 * * * *', Daily: '0 0 0 * * *', Weekly: '0 0 0 * * 0' };
const types = ['None', 'Hourly', 'Daily', 'Weekly', 'Custom'] as const;

/** The saved schedule of a system job (null when none), shared by the editor and the options form. */
export function useSchedule(prefix: string) {
  return useQuery({ queryKey: ['schedule', prefix], queryFn: async () => (await api.get<ExecHistory | undefined>(`${prefix}/schedule`)) ?? null });
}

/** Calls `apply` once with the parameters the schedule was saved with, as Harbor's page shows them. */
export function useSavedParameters(prefix: string, apply: (params: Record<string, unknown>) => void): void {
  const schedule = useSchedule(prefix);
  const [applied, setApplied] = useState(false);
  useEffect(() => {
    if (applied || schedule.data === undefined) return;
    setApplied(true);
    if (schedule.data) apply(jobParameters(schedule.data));
  }, [applied, schedule.data, apply]);
}

/**
 * The schedule of a system job (Harbor's None/Hourly/Daily/Weekly/Custom): saved with the
 * job's current parameters, as Harbor's portal does.
 */
export function ScheduleEditor({ prefix, parameters }: { prefix: string; parameters(): Record<string, unknown> | null }) {
  const { t } = useTranslation(['admin', 'common']);
  const { language } = usePreferences();
  const { message } = App.useApp();
  const client = useQueryClient();
  const current = useSchedule(prefix);
  const [type, setType] = useState<string>('None');
  const [cron, setCron] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const s = current.data?.schedule;
    setType(s?.type && s.type !== 'None' ? s.type : 'None');
    setCron(s?.cron ?? '');
  }, [current.data]);

  const save = async () => {
    const params = parameters();
    if (!params) return;
    setBusy(true);
    try {
      const schedule = type === 'None' ? { type } : { type, cron: type === 'Custom' ? cron.trim() : presetCron[type] };
      // Harbor: POST creates the first schedule, PUT changes it.
      if (current.data) await api.put(`${prefix}/schedule`, { schedule, parameters: params });
      else await api.post(`${prefix}/schedule`, { schedule, parameters: params });
      void message.success(t('schedule.saved'));
      await client.invalidateQueries({ queryKey: ['schedule', prefix] });
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const next = current.data?.schedule.next_scheduled_time;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <ErrorAlert error={current.error} />
      <Space wrap>
        <Select aria-label={t('schedule.type')} value={type} onChange={setType} style={{ width: 140 }} options={types.map((v) => ({ value: v, label: t(`schedule.types.${v}`) }))} />
        {type === 'Custom' ? (
          <Input aria-label={t('schedule.cron')} placeholder={t('schedule.cronHelp')} value={cron} onChange={(e) => setCron(e.target.value)} style={{ width: 220 }} />
        ) : (
          type !== 'None' && <Typography.Text code>{presetCron[type]}</Typography.Text>
        )}
        <Button onClick={() => void save()} loading={busy}>
          {t('schedule.save')}
        </Button>
      </Space>
      <Typography.Text type="secondary">{next && current.data?.schedule.type !== 'None' ? t('schedule.next', { time: formatTime(next, language) }) : t('schedule.none')}</Typography.Text>
    </Space>
  );
}
