import { access, constants, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../platform/errors';

export interface JavaRequirement {
  engine: string;
  /** Env var that picks the JDK, named in errors. */
  setting: string;
  minMajor: number;
  maxMajor?: number;
}

/** Checks that `javaHome` holds a JDK of a version the engine runs on; returns its major version. */
export async function checkJavaHome(javaHome: string, requirement: JavaRequirement): Promise<number> {
  const fail = (reason: string): never => {
    throw new AppError(
      'ENGINE_JAVA_UNSUITABLE',
      `${requirement.engine}: ${reason}; set ${requirement.setting}`,
      {
        details: { javaHome, ...requirement },
      },
    );
  };
  if (!javaHome) fail('no JDK found');
  try {
    await access(path.join(javaHome, 'bin', 'java'), constants.X_OK);
  } catch {
    fail(`${javaHome}/bin/java is missing or not executable`);
  }
  const release = await readFile(path.join(javaHome, 'release'), 'utf8').catch(() => '');
  const match = /^JAVA_VERSION="(?:1\.)?(\d+)/m.exec(release);
  if (!match) return fail(`cannot read the Java version from ${javaHome}/release`);
  const major = Number(match[1]);
  if (major < requirement.minMajor || (requirement.maxMajor !== undefined && major > requirement.maxMajor)) {
    const range =
      requirement.maxMajor === undefined
        ? `${requirement.minMajor} or newer`
        : `${requirement.minMajor} to ${requirement.maxMajor}`;
    fail(`${javaHome} is Java ${major}, needs Java ${range}`);
  }
  return major;
}
