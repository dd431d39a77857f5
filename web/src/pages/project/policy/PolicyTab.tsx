import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useProject } from '../project-context';
import { ImmutableRules } from './ImmutableRules';
import { RetentionPolicy } from './RetentionPolicy';

/** Tag retention and immutability rules, as Harbor's Policy tab holds them. */
export default function PolicyTab() {
  const { t } = useTranslation(['policy', 'common']);
  const { can } = useProject();
  const items = [
    ...(can('tag-retention', 'read') ? [{ key: 'retention', label: t('retention.title'), children: <RetentionPolicy /> }] : []),
    ...(can('immutable-tag', 'list') ? [{ key: 'immutable', label: t('immutable.title'), children: <ImmutableRules /> }] : []),
  ];
  return <Tabs type="card" items={items} destroyOnHidden />;
}
