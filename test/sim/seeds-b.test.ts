import { seedSweep } from './seed-suite.ts'

seedSweep(1, 2)
