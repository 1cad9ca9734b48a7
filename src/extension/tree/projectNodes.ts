import type { ProjectContainer, ProjectImage } from '../../core/container/projectResources';
import type { HistoryView } from '../../core/deploy/history';
import type { TensorInfo } from '../../core/model/modelInfo';
import type { ConfigProblem } from '../../core/project/configProblem';
import type { EnvironmentView } from '../environmentStore';
import type { ProjectEntry } from '../projectStore';

/** The tree's data: plain values, rendered into TreeItems by ProjectTreeProvider. */
export type ProjectNode =
  | { kind: 'project'; entry: ProjectEntry }
  | { kind: 'problem'; entry: ProjectEntry; problem: ConfigProblem }
  | { kind: 'model'; entry: ProjectEntry }
  | { kind: 'tensor'; entry: ProjectEntry; role: 'input' | 'output'; tensor: TensorInfo }
  | { kind: 'metrics'; entry: ProjectEntry }
  | { kind: 'metric'; entry: ProjectEntry; name: string; value: number }
  | { kind: 'images'; entry: ProjectEntry }
  | { kind: 'image'; entry: ProjectEntry; image: ProjectImage }
  | { kind: 'containers'; entry: ProjectEntry }
  | { kind: 'container'; entry: ProjectEntry; container: ProjectContainer }
  | { kind: 'environments'; entry: ProjectEntry }
  /** `promotable`: this is production and staging runs something (Promote is offered on it). */
  | { kind: 'environment'; entry: ProjectEntry; environment: string; view: EnvironmentView; promotable: boolean }
  | { kind: 'history'; entry: ProjectEntry; environment: string; item: HistoryView }
  | { kind: 'message'; entry: ProjectEntry; text: string; icon: string };

/**
 * `contextValue` of a node: its kind then its state, e.g. `project.valid`, `project.invalid`,
 * `metrics.none`, `container.running`, `environment.local.deployed`, `history.entry`, so menus can match
 * with `viewItem =~ /^project\./`. Production's node ends in `.promotable` while staging runs something.
 */
export function contextValueOf(node: ProjectNode): string {
  switch (node.kind) {
    case 'project':
      return `project.${node.entry.config ? 'valid' : 'invalid'}${node.entry.activity ? `.${node.entry.activity}` : ''}`;
    case 'metrics':
      return `metrics.${node.entry.metrics ? 'present' : 'none'}`;
    case 'tensor':
      return `tensor.${node.role}`;
    case 'container':
      return `container.${node.container.state}`;
    case 'environment':
      return `environment.${node.view.kind}.${node.view.status?.current ? 'deployed' : 'empty'}${node.promotable ? '.promotable' : ''}`;
    case 'history':
      return `history.${node.item.current ? 'current' : 'entry'}`;
    default:
      return node.kind;
  }
}
