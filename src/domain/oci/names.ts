import { AppError } from '../../platform/errors.js';

// The distribution-spec's name grammar: lowercase path components separated by "/".
const componentPattern = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** Longest repository name we accept; distribution uses 255 including the registry host. */
export const maxNameLength = 255;

export function validateRepositoryName(name: string): string {
  if (name.length === 0 || name.length > maxNameLength) {
    throw new AppError('NAME_INVALID', `repository name must be 1 to ${maxNameLength} characters`, {
      detail: { name: name.slice(0, 300) },
    });
  }
  for (const component of name.split('/')) {
    if (!componentPattern.test(component)) {
      throw new AppError('NAME_INVALID', `invalid repository name "${name.slice(0, 300)}"`, { detail: { name } });
    }
  }
  return name;
}

export function isTag(reference: string): boolean {
  return tagPattern.test(reference);
}

export function validateTag(tag: string): string {
  if (!tagPattern.test(tag)) throw new AppError('MANIFEST_INVALID', `invalid tag "${tag.slice(0, 200)}"`);
  return tag;
}

/** The first path segment of a repository: Harbor's project. */
export function projectOf(repository: string): string {
  const i = repository.indexOf('/');
  return i < 0 ? repository : repository.slice(0, i);
}
