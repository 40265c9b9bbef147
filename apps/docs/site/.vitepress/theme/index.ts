import DefaultTheme from 'vitepress/theme';
import type { Theme } from 'vitepress';
import RestoreDemo from './RestoreDemo.vue';
import './custom.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('RestoreDemo', RestoreDemo);
  },
} satisfies Theme;
