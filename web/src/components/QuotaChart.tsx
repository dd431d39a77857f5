import { PieChart } from 'echarts/charts';
import { LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { theme } from 'antd';
import { useEffect, useRef } from 'react';
import { formatBytes } from './format';

// Only the pieces used: the whole of ECharts would triple the chunk.
echarts.use([PieChart, TooltipComponent, LegendComponent, SVGRenderer]);

/** A doughnut of used against free storage; `label` names it for screen readers. */
export function QuotaChart({ used, hard, usedLabel, freeLabel, label }: { used: number; hard: number; usedLabel: string; freeLabel: string; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const { token } = theme.useToken();
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current, undefined, { renderer: 'svg' });
    const free = Math.max(0, hard - used);
    chart.setOption({
      tooltip: { trigger: 'item', formatter: (p: { name: string; value: number }) => `${p.name}: ${formatBytes(p.value)}` },
      legend: { bottom: 0, textStyle: { color: token.colorText } },
      series: [
        {
          type: 'pie',
          radius: ['50%', '75%'],
          label: { show: false },
          data: [
            { name: usedLabel, value: used, itemStyle: { color: used >= hard ? token.colorError : token.colorPrimary } },
            { name: freeLabel, value: free, itemStyle: { color: token.colorFillSecondary } },
          ],
        },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [used, hard, usedLabel, freeLabel, token]);
  return <div ref={ref} role="img" aria-label={label} style={{ width: '100%', height: 220 }} />;
}
