import { useTranslation } from 'react-i18next';
import { LabelsManager } from '../../../components/LabelsManager';
import { useProject } from '../project-context';

export type { Label } from '../../../components/LabelsManager';

/** The project's own labels (scope p). */
export default function LabelsTab() {
  const { t } = useTranslation(['labels', 'project']);
  const { project, can } = useProject();
  return <LabelsManager owner={{ scope: 'p', projectId: project.project_id }} can={(action) => can('label', action)} emptyText={t('empty')} tableLabel={t('project:tab.labels')} />;
}
