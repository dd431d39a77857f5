import { Checkbox, Form, InputNumber, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { RepoAndTagFields } from './ImmutableRules';
import { doublestar, type Rule, untagged } from './selectors';
import { FormModal } from '../../../components/FormModal';

export interface RetentionTemplate {
  rule_template: string;
  display_text: string;
  action: string;
  params: Array<{ type: string; unit: string; required: boolean }>;
}

interface Values {
  template: string;
  param?: number;
  repoDecoration: string;
  repoPattern: string;
  tagDecoration: string;
  tagPattern: string;
  untagged: boolean;
}

/** One retention rule: a template from /retentions/metadatas (with its number), and the selectors. */
export function RetentionRuleModal({ rule, templates, open, busy, onSave, onClose }: { rule?: Rule | undefined; templates: RetentionTemplate[]; open: boolean; busy: boolean; onSave(r: Rule): void; onClose(): void }) {
  const { t } = useTranslation(['policy', 'common']);
  const [form] = Form.useForm<Values>();
  const template = Form.useWatch('template', form);
  const chosen = templates.find((x) => x.rule_template === template);
  const repo = rule?.scope_selectors.repository?.[0];
  const tag = rule?.tag_selectors[0];
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    const tpl = templates.find((x) => x.rule_template === v.template);
    onSave({
      id: rule?.id ?? 0,
      priority: rule?.priority ?? 0,
      disabled: rule?.disabled ?? false,
      action: 'retain',
      template: v.template,
      params: tpl?.params.length ? { [v.template]: v.param } : {},
      tag_selectors: [doublestar(v.tagDecoration, v.tagPattern.trim(), JSON.stringify({ untagged: v.untagged }))],
      scope_selectors: { repository: [doublestar(v.repoDecoration, v.repoPattern.trim())] },
    });
  };
  const initialParam = rule?.params?.[rule.template];
  return (
    <FormModal open={open} title={rule ? t('retention.editRule') : t('retention.addRule')} onOk={submit} confirmLoading={busy} onCancel={onClose} okText={t('common:action.save')} cancelText={t('common:action.cancel')} destroyOnHidden>
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{
          template: rule?.template ?? 'latestPushedK',
          param: typeof initialParam === 'number' ? initialParam : Number(initialParam ?? 10),
          repoDecoration: repo?.decoration ?? 'repoMatches',
          repoPattern: repo?.pattern ?? '**',
          tagDecoration: tag?.decoration ?? 'matches',
          tagPattern: tag?.pattern ?? '**',
          untagged: rule ? untagged(tag) : true,
        }}
      >
        <RepoAndTagFields />
        <Form.Item name="untagged" valuePropName="checked">
          <Checkbox>{t('retention.untagged')}</Checkbox>
        </Form.Item>
        <Form.Item name="template" label={t('retention.retain')}>
          <Select options={templates.map((x) => ({ value: x.rule_template, label: t(`retention.tpl.${x.rule_template}`, { n: '#', defaultValue: x.display_text }) }))} />
        </Form.Item>
        {chosen && chosen.params.length > 0 && (
          <Form.Item name="param" label={t(chosen.params[0]?.unit === 'DAYS' ? 'retention.days' : 'retention.count')} rules={[{ required: true, message: t('retention.paramRequired') }]}>
            <InputNumber min={1} max={chosen.params[0]?.unit === 'DAYS' ? 36500 : 10000} precision={0} />
          </Form.Item>
        )}
      </Form>
    </FormModal>
  );
}
