import { AppstoreOutlined, ContainerOutlined, DeploymentUnitOutlined, FileOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { ArtifactKind } from './artifact-kind';

const icons = { index: AppstoreOutlined, image: ContainerOutlined, chart: DeploymentUnitOutlined, other: FileOutlined };

/** The artifact's type as an icon, named for screen readers (role img with its label). */
export function TypeIcon({ kind }: { kind: ArtifactKind }) {
  const { t } = useTranslation('repository');
  const Icon = icons[kind];
  const label = t(`kind.${kind}`);
  return (
    <span title={label}>
      <Icon role="img" aria-label={label} style={{ fontSize: 16 }} />
    </span>
  );
}
