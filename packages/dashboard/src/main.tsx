import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './styles/base.css';
import './styles/verdicts.css';
import './styles/components.css';
import './styles/pages.css';
import { App } from './app';
import { startLive } from './api/live';

startLive();
render(<App />, document.getElementById('app')!);
