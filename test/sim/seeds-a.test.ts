import { seedSweep } from './seed-suite.ts'

seedSweep(0, 2)
