import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SpecError } from '../core/errors.js';
import { compile, type CompileOptions, type StudyPlan } from './compile.js';
import { loadControllerModel } from './controller-model.js';

/** Reads a YAML or JSON spec file into a plain object; an unreadable or malformed file is a SpecError naming it. */
export function readSpecFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SpecError(`Cannot read spec file ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new SpecError(`Spec file ${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message}`, { cause: e });
  }
}

/** Reads and compiles a spec file; the study name defaults to the file's base name, and errors start with the path. */
export function loadPlan(path: string, options: Omit<CompileOptions, 'fallbackName'> = {}): StudyPlan {
  const data = readSpecFile(path);
  try {
    const plan = compile(data, { fallbackName: basename(path, extname(path)), ...options });
    // A controller model file (sampler or scheduler) is read and checked against the space here, before anything runs.
    if (plan.sampler.type === 'controller') {
      const model = loadControllerModel(plan.sampler.model, plan.space, plan.objective.direction, plan.sampler.descriptors);
      if (plan.sampler.start === 'portfolio' && !model.json.portfolio) {
        throw new SpecError(`Expected \`sampler.start\` = "portfolio" with a model that has a portfolio; ${JSON.stringify(plan.sampler.model)} has none (it is learned by \`hyperzone controller train\` from trials of at least two studies)`);
      }
    }
    const sc = plan.scheduler;
    if (sc?.type === 'curve-extrapolation') loadControllerModel(sc.model, plan.space, plan.objective.direction, sc.descriptors, 'scheduler');
    return plan;
  } catch (e) {
    if (e instanceof SpecError) throw new SpecError(`${path}: ${e.message}`, { cause: e.cause });
    throw e;
  }
}
